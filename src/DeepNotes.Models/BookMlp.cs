using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// The multilayer perceptron exactly as "Dive into Deep Learning" 5.2 (Implementation of Multilayer
/// Perceptrons) declares it: 784 → 256 (ReLU) → 10, every weight drawn from N(0, 0.01²), biases zero.
/// <see cref="Mlp"/> is the same network with He/Xavier initialisation.
/// </summary>
[Model]
public sealed partial class BookMlp
{
    [Linear(784, 256, Init = Init.Normal, Std = 0.01f)] private partial Tensor Hidden(Tensor x);
    [Linear(256, 10, Init = Init.Normal, Std = 0.01f)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var h = Relu(Hidden(Flatten(image)));
        return Out(h);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
