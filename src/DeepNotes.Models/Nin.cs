using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// Network in network (d2l 8.3) for 1×28×28 inputs: each block is a spatial convolution followed by
/// two 1×1 convolutions (per-pixel fully connected layers mixing channels); the last block has one
/// channel per class and global average pooling replaces the dense head.
/// </summary>
[Model]
public sealed partial class Nin
{
    [Conv2d(1, 32, Kernel = 5, Padding = 2)] private partial Tensor B1(Tensor x);
    [Conv2d(32, 32, Kernel = 1)] private partial Tensor B1Mix1(Tensor x);
    [Conv2d(32, 32, Kernel = 1)] private partial Tensor B1Mix2(Tensor x);
    [Conv2d(32, 64, Kernel = 3, Padding = 1)] private partial Tensor B2(Tensor x);
    [Conv2d(64, 64, Kernel = 1)] private partial Tensor B2Mix1(Tensor x);
    [Conv2d(64, 64, Kernel = 1)] private partial Tensor B2Mix2(Tensor x);
    [Conv2d(64, 10, Kernel = 3, Padding = 1)] private partial Tensor B3(Tensor x);
    [Conv2d(10, 10, Kernel = 1)] private partial Tensor B3Mix1(Tensor x);
    [Conv2d(10, 10, Kernel = 1)] private partial Tensor B3Mix2(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var x = Relu(B1Mix2(Relu(B1Mix1(Relu(B1(image))))));
        x = MaxPool2d(x, 2);                                  // 32×14×14
        x = Relu(B2Mix2(Relu(B2Mix1(Relu(B2(x))))));
        x = MaxPool2d(x, 2);                                  // 64×7×7
        x = Relu(B3Mix2(Relu(B3Mix1(Relu(B3(x))))));          // 10×7×7
        return GlobalAvgPool2d(x);                            // 10 class scores
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
