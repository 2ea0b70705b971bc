using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// The MLP with dropout exactly as "Dive into Deep Learning" 5.6 (Dropout) declares it:
/// 784 → 256 → 256 → 10 with ReLU, dropout 0.2 after the first hidden layer and 0.5 after the
/// second, every weight drawn from N(0, 0.01²), biases zero. <see cref="DropoutMlp"/> is the same
/// network with He/Xavier initialisation.
/// </summary>
[Model]
public sealed partial class BookDropoutMlp
{
    [Linear(784, 256, Init = Init.Normal, Std = 0.01f)] private partial Tensor Hidden1(Tensor x);
    [Linear(256, 256, Init = Init.Normal, Std = 0.01f)] private partial Tensor Hidden2(Tensor x);
    [Linear(256, 10, Init = Init.Normal, Std = 0.01f)] private partial Tensor Out(Tensor x);

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
