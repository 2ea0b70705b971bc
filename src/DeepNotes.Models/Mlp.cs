using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>The multilayer perceptron of d2l 5.2: 784 → 256 (ReLU) → 10.</summary>
[Model]
public sealed partial class Mlp
{
    [Linear(784, 256)] private partial Tensor Hidden(Tensor x);
    [Linear(256, 10)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var h = Relu(Hidden(Flatten(image)));
        return Out(h);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
