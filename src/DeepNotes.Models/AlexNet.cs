using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// AlexNet as in "Dive into Deep Learning" 8.1, for 1×224×224 inputs (Fashion-MNIST resized): five
/// convolutions, three max-pools, two 4096-wide layers with dropout 0.5. 46,764,746 parameters.
/// </summary>
[Model]
public sealed partial class AlexNet
{
    [Conv2d(1, 96, Kernel = 11, Stride = 4, Padding = 1, Init = Init.XavierUniform)] private partial Tensor Conv1(Tensor x);
    [Conv2d(96, 256, Kernel = 5, Padding = 2, Init = Init.XavierUniform)] private partial Tensor Conv2(Tensor x);
    [Conv2d(256, 384, Kernel = 3, Padding = 1, Init = Init.XavierUniform)] private partial Tensor Conv3(Tensor x);
    [Conv2d(384, 384, Kernel = 3, Padding = 1, Init = Init.XavierUniform)] private partial Tensor Conv4(Tensor x);
    [Conv2d(384, 256, Kernel = 3, Padding = 1, Init = Init.XavierUniform)] private partial Tensor Conv5(Tensor x);
    [Linear(6400, 4096, Init = Init.XavierUniform)] private partial Tensor Fc6(Tensor x);
    [Linear(4096, 4096, Init = Init.XavierUniform)] private partial Tensor Fc7(Tensor x);
    [Linear(4096, 10, Init = Init.XavierUniform)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 224, 224)] Tensor image)
    {
        var x = MaxPool2d(Relu(Conv1(image)), 3, 2);
        x = MaxPool2d(Relu(Conv2(x)), 3, 2);
        x = Relu(Conv3(x));
        x = Relu(Conv4(x));
        x = MaxPool2d(Relu(Conv5(x)), 3, 2);
        x = Dropout(Relu(Fc6(Flatten(x))), 0.5f);
        x = Dropout(Relu(Fc7(x)), 0.5f);
        return Out(x);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
