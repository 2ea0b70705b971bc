using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// Single-head self-attention of the notes, softmax(Q·Kᵀ/√d)·V, with Q, K, V and output projections,
/// fitted to a target sequence by least squares: REFERENCE.md's attention workload (sequence 64,
/// width 128; batch 32 at training time). Each example is one sequence [64, 128]; the projections are
/// Linear layers applied row by row, and Q·Kᵀ reads K as it is stored (no transposed copy).
/// </summary>
[Model]
public sealed partial class SelfAttention
{
    public const int Sequence = 64, Width = 128;
    /// <summary>1/√Width, the scale of the dot-product scores.</summary>
    private const float Scale = 0.088388347648318f;

    [Linear(Width, Width)] private partial Tensor Query(Tensor x);
    [Linear(Width, Width)] private partial Tensor Key(Tensor x);
    [Linear(Width, Width)] private partial Tensor Value(Tensor x);
    [Linear(Width, Width)] private partial Tensor Output(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Sequence, Width)] Tensor x)
    {
        var q = Query(x);                              // [64, 128]
        var k = Key(x);                                // [64, 128]
        var v = Value(x);                              // [64, 128]
        var scores = MatMul(q, Transpose(k)) * Scale;  // [64, 64]
        var weights = Softmax(scores);                 // each row sums to 1
        return Output(MatMul(weights, v));             // [64, 128]
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor target) => Mse(y, target);
}
