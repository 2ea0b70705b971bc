using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>LeNet-5 in its modern form (ReLU, max pooling), for 1×28×28 digits (the first conv pads to 32×32's geometry).</summary>
[Model]
public sealed partial class LeNet5
{
    [Conv2d(1, 6, Kernel = 5, Padding = 2)] private partial Tensor C1(Tensor x);
    [Conv2d(6, 16, Kernel = 5)] private partial Tensor C3(Tensor x);
    [Linear(16 * 5 * 5, 120)] private partial Tensor F5(Tensor x);
    [Linear(120, 84)] private partial Tensor F6(Tensor x);
    [Linear(84, 10)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var x = MaxPool2d(Relu(C1(image)), 2);
        x = MaxPool2d(Relu(C3(x)), 2);
        x = Relu(F6(Relu(F5(Flatten(x)))));
        return Out(x);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
