namespace DeepNotes.Kernels;

// Concat and Split along a per-example axis. Seen as [outer, axis, inner] (outer: the batch times the axes
// before it; inner: the product of the axes after it), a slice of the axis is one contiguous block per outer
// index, so both ops are block copies: Concat places each input's blocks into the output's (and its backward
// slices the gradient back out), Split slices one part out (and its backward places the gradient into zeros).
public static partial class Layout
{
    /// <summary>
    /// y[o, 0..length) = x[o·xBlock + offset, .. + length) for o in [0, blocks): the slice of each block of x.
    /// y must not share memory with x.
    /// </summary>
    public static void Slice(Span<float> y, ReadOnlySpan<float> x, int blocks, int xBlock, int offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > xBlock) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"a slice [{offset}, {offset + length}) of blocks of {xBlock}");
        for (int o = 0; o < blocks; o++) x.Slice(o * xBlock + offset, length).CopyTo(y.Slice(o * length, length));
    }

    /// <summary>
    /// y[o·yBlock + offset, .. + length) = x[o·length, .. + length) for o in [0, blocks): x's blocks placed into
    /// y's. With <paramref name="clearRest"/> the rest of each block of y is zeroed (Split's backward); without,
    /// it is left as it is (Concat writes every input's part). y must not share memory with x.
    /// </summary>
    public static void Place(Span<float> y, ReadOnlySpan<float> x, int blocks, int yBlock, int offset, int length, bool clearRest = false)
    {
        if (offset < 0 || length < 0 || offset + length > yBlock) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"a slice [{offset}, {offset + length}) of blocks of {yBlock}");
        for (int o = 0; o < blocks; o++)
        {
            Span<float> block = y.Slice(o * yBlock, yBlock);
            x.Slice(o * length, length).CopyTo(block.Slice(offset, length));
            if (!clearRest) continue;
            block.Slice(0, offset).Clear();
            block.Slice(offset + length).Clear();
        }
    }

    /// <summary>
    /// The reference: torch.cat of per-example tensors along <paramref name="axis"/>, element by element from
    /// multi-indices. <paramref name="dims"/>[i] are input i's per-example dims; all inputs hold <paramref name="batch"/> examples.
    /// </summary>
    public static float[] ConcatReference(float[][] inputs, int[][] dims, int axis, int batch)
    {
        int rank = dims[0].Length;
        int[] outDims = (int[])dims[0].Clone();
        outDims[axis] = 0;
        foreach (int[] d in dims) outDims[axis] += d[axis];
        int outSize = Product(outDims);
        var y = new float[batch * outSize];
        var index = new int[rank];
        for (int b = 0; b < batch; b++)
            for (int flat = 0; flat < outSize; flat++)
            {
                Unravel(flat, outDims, index);
                int which = 0, along = index[axis];
                while (along >= dims[which][axis]) { along -= dims[which][axis]; which++; }
                index[axis] = along;
                y[b * outSize + flat] = inputs[which][b * Product(dims[which]) + Ravel(index, dims[which])];
            }
        return y;
    }

    /// <summary>The reference of torch.chunk(x, parts, axis)[index] per example, element by element.</summary>
    public static float[] SplitReference(float[] x, int[] dims, int axis, int parts, int index, int batch)
    {
        int[] outDims = (int[])dims.Clone();
        outDims[axis] /= parts;
        int inSize = Product(dims), outSize = Product(outDims);
        var y = new float[batch * outSize];
        var at = new int[dims.Length];
        for (int b = 0; b < batch; b++)
            for (int flat = 0; flat < outSize; flat++)
            {
                Unravel(flat, outDims, at);
                at[axis] += index * outDims[axis];
                y[b * outSize + flat] = x[b * inSize + Ravel(at, dims)];
            }
        return y;
    }

    private static int Product(int[] dims)
    {
        int p = 1;
        foreach (int d in dims) p *= d;
        return p;
    }

    private static void Unravel(int flat, int[] dims, int[] index)
    {
        for (int i = dims.Length - 1; i >= 0; i--) { index[i] = flat % dims[i]; flat /= dims[i]; }
    }

    private static int Ravel(int[] index, int[] dims)
    {
        int flat = 0;
        for (int i = 0; i < dims.Length; i++) flat = flat * dims[i] + index[i];
        return flat;
    }
}
