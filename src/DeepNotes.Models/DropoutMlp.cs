using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>The MLP with dropout of d2l 5.6: 784 → 256 → 256 → 10, dropout 0.2 after the first hidden layer and 0.5 after the second.</summary>
[Model]
public sealed partial class DropoutMlp
{
    [Linear(784, 256)] private partial Tensor Hidden1(Tensor x);
    [Linear(256, 256)] private partial Tensor Hidden2(Tensor x);
    [Linear(256, 10)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var h = Dropout(Relu(Hidden1(Flatten(image))), 0.2f);
        h = Dropout(Relu(Hidden2(h)), 0.5f);
        return Out(h);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
