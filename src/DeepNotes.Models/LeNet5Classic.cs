using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>LeNet-5 as in "Dive into Deep Learning" 7.6: sigmoid activations, average pooling, Xavier-uniform weights.</summary>
[Model]
public sealed partial class LeNet5Classic
{
    [Conv2d(1, 6, Kernel = 5, Padding = 2, Init = Init.XavierUniform)] private partial Tensor C1(Tensor x);
    [Conv2d(6, 16, Kernel = 5, Init = Init.XavierUniform)] private partial Tensor C3(Tensor x);
    [Linear(16 * 5 * 5, 120, Init = Init.XavierUniform)] private partial Tensor F5(Tensor x);
    [Linear(120, 84, Init = Init.XavierUniform)] private partial Tensor F6(Tensor x);
    [Linear(84, 10, Init = Init.XavierUniform)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var x = AvgPool2d(Sigmoid(C1(image)), 2);
        x = AvgPool2d(Sigmoid(C3(x)), 2);
        x = Sigmoid(F6(Sigmoid(F5(Flatten(x)))));
        return Out(x);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
