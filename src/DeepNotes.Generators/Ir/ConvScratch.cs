namespace DeepNotes.Generators.Ir;

/// <summary>The scratch memory of a convolution kernel call: im2col columns of one example.</summary>
internal static class ConvScratch
{
    /// <summary>A fresh scratch value for <paramref name="conv"/>, or null when the kernel needs none (1×1, stride 1, no padding).</summary>
    public static Value? For(Graph g, Node conv)
    {
        int size = Size(conv);
        return size == 0 ? null : g.NewValue(new Shape(false, size), "columns");
    }

    /// <summary>Must agree with DeepNotes.Kernels.Conv2dShape.ScratchSize (a kernel refuses a smaller scratch).</summary>
    public static int Size(Node conv)
    {
        var l = conv.Layer!;
        Shape outShape = conv.Output!.Shape;
        int oh = outShape.Dims[1], ow = outShape.Dims[2];
        bool direct = l.KernelH == 1 && l.KernelW == 1 && l.StrideH == 1 && l.StrideW == 1 && l.PadH == 0 && l.PadW == 0;
        return direct ? 0 : l.In * l.KernelH * l.KernelW * oh * ow;
    }
}
