using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// A small residual network (d2l 8.6) for 1×28×28 inputs: a 3×3 stem; a stage of two residual
/// blocks at 32 channels (one [Block] declared once and used twice, its layers indexed: the
/// tensors of the second use are <c>Stage1Conv1.1.weight</c>, …); max pooling; a stage of two
/// blocks at 64 channels whose first block halves the resolution with a strided convolution and a
/// projected 1×1 shortcut; batch norm after every convolution, global average pooling, a linear head.
/// </summary>
[Model]
public sealed partial class ResNet
{
    [Conv2d(1, 32, Kernel = 3, Padding = 1, Bias = false)] private partial Tensor Stem(Tensor x);
    [BatchNorm2d(32)] private partial Tensor StemBn(Tensor x);

    [Conv2d(32, 32, Kernel = 3, Padding = 1, Bias = false, Count = 2)] private partial Tensor Stage1Conv1(int i, Tensor x);
    [BatchNorm2d(32, Count = 2)] private partial Tensor Stage1Bn1(int i, Tensor x);
    [Conv2d(32, 32, Kernel = 3, Padding = 1, Bias = false, Count = 2)] private partial Tensor Stage1Conv2(int i, Tensor x);
    [BatchNorm2d(32, Count = 2)] private partial Tensor Stage1Bn2(int i, Tensor x);

    [Conv2d(32, 64, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] private partial Tensor Stage2Down(Tensor x);
    [Conv2d(32, 64, Kernel = 1, Stride = 2, Bias = false)] private partial Tensor Stage2Shortcut(Tensor x);
    [BatchNorm2d(64)] private partial Tensor Stage2ShortcutBn(Tensor x);
    [Conv2d(64, 64, Kernel = 3, Padding = 1, Bias = false)] private partial Tensor Stage2Conv1(Tensor x);
    [Conv2d(64, 64, Kernel = 3, Padding = 1, Bias = false, Count = 2)] private partial Tensor Stage2Conv2(int i, Tensor x);
    [BatchNorm2d(64, Count = 2)] private partial Tensor Stage2Bn1(int i, Tensor x);
    [BatchNorm2d(64, Count = 2)] private partial Tensor Stage2Bn2(int i, Tensor x);

    [Linear(64, 10)] private partial Tensor Out(Tensor x);

    /// <summary>The basic residual block: two 3×3 convolutions with batch norm, added to the input.</summary>
    [Block]
    private Tensor Stage1Block(Tensor x, int i)
    {
        var y = Relu(Stage1Bn1(i, Stage1Conv1(i, x)));
        y = Stage1Bn2(i, Stage1Conv2(i, y));
        return Relu(x + y);
    }

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var x = Relu(StemBn(Stem(image)));                                  // 32×28×28
        x = Stage1Block(x, 0);
        x = Stage1Block(x, 1);
        x = MaxPool2d(x, 2);                                                // 32×14×14
        // Stage 2: a downsampling block (strided conv, projected shortcut), then a plain one.
        var y = Relu(Stage2Bn1(0, Stage2Down(x)));                          // 64×7×7
        y = Stage2Bn2(0, Stage2Conv2(0, y));
        x = Relu(Stage2ShortcutBn(Stage2Shortcut(x)) + y);
        y = Relu(Stage2Bn1(1, Stage2Conv1(x)));
        y = Stage2Bn2(1, Stage2Conv2(1, y));
        x = Relu(x + y);
        return Out(GlobalAvgPool2d(x));
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels y) => CrossEntropy(logits, y);
}
