using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>Softmax regression: one linear layer from 784 pixels to 10 class scores, trained with cross-entropy (d2l 4.4).</summary>
[Model]
public sealed partial class SoftmaxRegression
{
    [Linear(784, 10, Init = Init.Normal, Std = 0.01f)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image) => Out(Flatten(image));

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
