using static DeepNotes.Ops;

namespace DeepNotes.Models.Tests;

// Small models that put every op of the language through the compiler, so their gradients can be
// checked against finite differences. They are compiled by the same generator as the real models.

/// <summary>Element-wise chains: tanh, sigmoid, exp, log, affine and reciprocal steps, and tensor ⊕ tensor.</summary>
[Model]
public sealed partial class ChainNet
{
    [Linear(6, 5)] private partial Tensor L1(Tensor x);
    [Linear(5, 3)] private partial Tensor L2(Tensor x);

    [Forward]
    private Tensor Forward([Shape(6)] Tensor x)
    {
        var h = Tanh(L1(x)) * 2f + 0.5f;
        var s = Sigmoid(h);
        var e = Exp(-s);
        return L2(Log(s + 1f) - e / 3f + 1f / (s + 2f));
    }

    [Loss]
    private Tensor Loss(Tensor y, [Shape(3)] Tensor t) => Mse(y, t);
}

/// <summary>Broadcasting: [2, 4] against [2, 1] and against a scalar; Sum and Mean in the loss.</summary>
[Model]
public sealed partial class BroadcastNet
{
    [Linear(4, 4)] private partial Tensor A(Tensor x);
    [Linear(4, 1)] private partial Tensor Gate(Tensor x);

    [Forward]
    private Tensor Forward([Shape(2, 4)] Tensor x)
    {
        var a = A(x);
        var b = Gate(x);
        var y = a * b + a / (b * b + 1f) - Mean(a);
        return Flatten(y);
    }

    [Loss]
    private Tensor Loss(Tensor y, [Shape(8)] Tensor t) => Mse(y, t) * 0.5f + Sum(y) * 0.01f;
}

/// <summary>Softmax as a layer output, fitted by least squares.</summary>
[Model]
public sealed partial class SoftmaxNet
{
    [Linear(5, 4)] private partial Tensor L(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tensor x) => Softmax(L(x));

    [Loss]
    private Tensor Loss(Tensor p, [Shape(4)] Tensor t) => Mse(p, t);
}

/// <summary>The model outputs log-probabilities; the loss is Nll (LogSoftmax and Nll stay separate ops).</summary>
[Model]
public sealed partial class LogSoftmaxNet
{
    [Linear(5, 4)] private partial Tensor L(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tensor x) => LogSoftmax(L(x));

    [Loss]
    private Tensor Loss(Tensor logp, Labels y) => Nll(logp, y);
}

/// <summary>Nll(LogSoftmax(z)) inside the loss: fused into softmax cross-entropy by the compiler.</summary>
[Model]
public sealed partial class FusedNllNet
{
    [Linear(5, 4)] private partial Tensor L(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tensor x) => L(x);

    [Loss]
    private Tensor Loss(Tensor z, Labels y) => Nll(LogSoftmax(z), y);
}

/// <summary>Per-example matrix products: softmax(q·v)·v, a tiny attention-like block.</summary>
[Model]
public sealed partial class MatMulNet
{
    [Linear(4, 4)] private partial Tensor Q(Tensor x);
    [Linear(4, 4)] private partial Tensor V(Tensor x);
    [Linear(16, 3)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(4, 4)] Tensor x)
    {
        var q = Q(x);
        var v = V(x);
        var attention = MatMul(Softmax(MatMul(q, v)), v);
        return Out(Flatten(attention));
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}

/// <summary>Multi-label logistic output with binary cross-entropy on logits.</summary>
[Model]
public sealed partial class BceNet
{
    [Linear(6, 3, Bias = false)] private partial Tensor L(Tensor x);

    [Forward]
    private Tensor Forward([Shape(6)] Tensor x) => L(x);

    [Loss]
    private Tensor Loss(Tensor z, [Shape(3)] Tensor t) => BinaryCrossEntropy(z, t);
}

/// <summary>One layer applied twice (shared weights): its gradient is the sum of both uses.</summary>
[Model]
public sealed partial class SharedLayerNet
{
    [Linear(5, 5)] private partial Tensor Shared(Tensor x);
    [Linear(5, 3)] private partial Tensor Out(Tensor x);
    [Dropout(0.3f)] private partial Tensor Drop(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tensor x)
    {
        var h = Tanh(Shared(x));
        var y = Shared(h) + h;
        return Out(Drop(y));
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}

/// <summary>Least squares with five inputs: full-batch gradient descent must reach the normal-equation solution.</summary>
[Model]
public sealed partial class SmallRegression
{
    [Linear(5, 1, Init = Init.Zeros)] private partial Tensor Net(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tensor x) => Net(x);

    [Loss]
    private Tensor Loss(Tensor y, [Shape(1)] Tensor t) => Mse(y, t);
}

/// <summary>Attention ops: Q·Kᵀ through MatMul(q, Transpose(k)) (no copy), a scale, Softmax over rows, ·V.</summary>
[Model]
public sealed partial class AttentionNet
{
    [Linear(6, 5)] private partial Tensor Q(Tensor x);
    [Linear(6, 5)] private partial Tensor K(Tensor x);
    [Linear(6, 3)] private partial Tensor V(Tensor x);

    [Forward]
    private Tensor Forward([Shape(4, 6)] Tensor x)
    {
        var scores = MatMul(Q(x), Transpose(K(x))) * 0.5f; // [4, 4]
        return MatMul(Softmax(scores), V(x));              // [4, 3]
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>A causal mask over [5, 5] scores of a sequence, and a stored Transpose (a copy) used by a MatMul and a Linear.</summary>
[Model]
public sealed partial class CausalTransposeNet
{
    [Linear(4, 3)] private partial Tensor Q(Tensor x);
    [Linear(4, 3)] private partial Tensor K(Tensor x);
    [Linear(5, 5)] private partial Tensor Mix(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5, 4)] Tensor x)
    {
        var kt = Transpose(K(x));                       // [3, 5], a copy
        var weights = CausalSoftmax(MatMul(Q(x), kt));  // [5, 5], row i sees 0..i
        return MatMul(weights, x) + Transpose(Mix(Transpose(x)));  // [5, 4]
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>LayerNorm over the last axis of per-example rows [3, 5]: one layer used twice (its gradients add up), one after a Linear.</summary>
[Model]
public sealed partial class LayerNormNet
{
    [Linear(5, 5)] private partial Tensor In(Tensor x);
    [LayerNorm(5)] private partial Tensor Norm(Tensor x);
    [Linear(5, 4)] private partial Tensor Out(Tensor x);
    [LayerNorm(4, Epsilon = 1e-3f)] private partial Tensor Last(Tensor x);

    [Forward]
    private Tensor Forward([Shape(3, 5)] Tensor x) => Last(Out(Tanh(Norm(In(x)))) + Out(Norm(x)));

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}
