namespace DeepNotes.Kernels;

/// <summary>
/// The sinusoidal positional encoding of the notes (Vaswani et al.): for position i of n and feature d of a
/// width D, P[i, 2j] = sin(i / 10000^(2j/D)) and P[i, 2j+1] = cos(i / 10000^(2j/D)). The generated code
/// computes the table once per model type (a static field) and adds it to every example; the gradient
/// passes through the addition unchanged.
/// </summary>
public static class PositionalEncoding
{
    /// <summary>The table [n, width], row-major, computed in double precision.</summary>
    public static float[] Table(int n, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var table = new float[n * width];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < width; d++)
            {
                int pair = d / 2; // j: features 2j and 2j+1 share a frequency
                double angle = i / Math.Pow(10000.0, 2.0 * pair / width);
                table[i * width + d] = (float)(d % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        return table;
    }

    /// <summary>y = x + table for each of <paramref name="batch"/> examples of table.Length floats. y may be x.</summary>
    public static void Add(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> table, int batch)
    {
        int size = table.Length;
        for (int b = 0; b < batch; b++)
            System.Numerics.Tensors.TensorPrimitives.Add(x.Slice(b * size, size), table, y.Slice(b * size, size));
    }
}
