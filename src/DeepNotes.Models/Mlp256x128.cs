using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// The architecture of REFERENCE.md's libtorch "mlp" workload (the benchmark suite's and
/// <c>deepnotes bench</c>'s <c>mlp</c>): 784 → 256 (ReLU) → 128 (ReLU) → 10, cross-entropy;
/// 235,146 parameters, He initialisation.
/// </summary>
[Model]
public sealed partial class Mlp256x128
{
    [Linear(784, 256)] private partial Tensor Hidden1(Tensor x);
    [Linear(256, 128)] private partial Tensor Hidden2(Tensor x);
    [Linear(128, 10)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var h = Relu(Hidden1(Flatten(image)));
        h = Relu(Hidden2(h));
        return Out(h);
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
