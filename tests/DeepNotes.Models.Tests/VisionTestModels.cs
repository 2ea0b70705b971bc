using static DeepNotes.Ops;

namespace DeepNotes.Models.Tests;

// Small convolutional models covering every vision op for the gradient checks.

/// <summary>Strided, padded, asymmetric convolutions; max and average pooling with padding; tanh epilogue.</summary>
[Model]
public sealed partial class ConvNet
{
    [Conv2d(2, 3, KernelHeight = 3, KernelWidth = 2, StrideHeight = 2, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 0)] private partial Tensor A(Tensor x);
    [Conv2d(3, 4, Kernel = 3, Padding = 1, Bias = false)] private partial Tensor B(Tensor x);
    [Conv2d(4, 4, Kernel = 1)] private partial Tensor Mix(Tensor x);
    [Linear(4 * 2 * 2, 3)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(2, 7, 6)] Tensor x)
    {
        var h = Tanh(A(x));                         // 3×4×5
        h = MaxPool2d(h, 3, 1, 1);                  // 3×4×5
        h = Sigmoid(B(h));                          // 4×4×5
        h = AvgPool2d(Mix(h), 2, 2);                // 4×2×2
        return Out(Flatten(h));
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}

/// <summary>Batch norm (2-d and 1-d), a residual connection and global average pooling.</summary>
[Model]
public sealed partial class NormNet
{
    [Conv2d(1, 3, Kernel = 3, Padding = 1)] private partial Tensor C(Tensor x);
    [BatchNorm2d(3)] private partial Tensor Bn(Tensor x);
    [Conv2d(3, 3, Kernel = 3, Padding = 1)] private partial Tensor C2(Tensor x);
    [BatchNorm2d(3)] private partial Tensor Bn2(Tensor x);
    [Linear(3, 4)] private partial Tensor Fc(Tensor x);
    [BatchNorm1d(4)] private partial Tensor Bn1d(Tensor x);
    [Linear(4, 3)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 5, 5)] Tensor x)
    {
        var h = Relu(Bn(C(x)));
        h = Tanh(h + Bn2(C2(h)));                   // residual
        var v = GlobalAvgPool2d(h);                 // [3]
        return Out(Tanh(Bn1d(Fc(v))));
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
