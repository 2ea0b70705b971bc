using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>Element-wise binary operators of the model language.</summary>
public enum BinaryOp { Add, Subtract, Multiply, Divide }

/// <summary>
/// The compile-time description of one broadcast: output, a and b shapes right-aligned to the same
/// rank, with the batch as dimension 0 (a batched operand has the batch there, an unbatched one a
/// stride of 0). The generator creates one per op as a static field, so a call allocates nothing.
/// </summary>
public sealed class BroadcastPlan
{
    internal readonly int[] Dims;      // output per-example dims (batch excluded)
    internal readonly int[] AStrides;  // per-example strides, 0 where a is broadcast
    internal readonly int[] BStrides;
    internal readonly bool ABatched, BBatched;
    internal readonly int ASize, BSize, RowSize; // per-example element counts

    /// <param name="outDims">Per-example output dims.</param>
    /// <param name="aDims">Per-example dims of a, right-aligned against the output; 1 where broadcast.</param>
    /// <param name="bDims">Same for b.</param>
    public BroadcastPlan(int[] outDims, int[] aDims, bool aBatched, int[] bDims, bool bBatched)
    {
        Dims = outDims;
        ABatched = aBatched;
        BBatched = bBatched;
        AStrides = Strides(outDims, aDims, out ASize);
        BStrides = Strides(outDims, bDims, out BSize);
        RowSize = 1;
        foreach (int d in outDims) RowSize *= d;
    }

    internal bool SameShape => ABatched == BBatched && ASize == RowSize && BSize == RowSize;

    private static int[] Strides(int[] outDims, int[] dims, out int size)
    {
        if (dims.Length > outDims.Length) throw new ArgumentException("operand has more dimensions than the output");
        var strides = new int[outDims.Length];
        int offset = outDims.Length - dims.Length, stride = 1;
        for (int i = outDims.Length - 1; i >= 0; i--)
        {
            int d = i >= offset ? dims[i - offset] : 1;
            if (d != 1 && d != outDims[i]) throw new ArgumentException("operand is not broadcastable to the output");
            strides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        size = stride;
        return strides;
    }
}

/// <summary>Broadcasting element-wise arithmetic and its reverse-mode gradients.</summary>
public static class Broadcast
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> b, BinaryOp op, int batch, BroadcastPlan plan)
    {
        bool outBatched = plan.ABatched || plan.BBatched;
        int n = (outBatched ? batch : 1) * plan.RowSize;
        int aN = (plan.ABatched ? batch : 1) * plan.ASize, bN = (plan.BBatched ? batch : 1) * plan.BSize;
        y = y[..n];
        if (aN == n && bN == n)
        {
            a = a[..n]; b = b[..n];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                default: TensorPrimitives.Divide(a, b, y); break;
            }
            return;
        }
        if (bN == 1)
        {
            a = a[..n]; float s = b[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, s, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, s, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(a, s, y); break;
                default: TensorPrimitives.Divide(a, s, y); break;
            }
            return;
        }
        if (aN == 1)
        {
            b = b[..n]; float s = a[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(b, s, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(s, b, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(b, s, y); break;
                default: TensorPrimitives.Divide(s, b, y); break;
            }
            return;
        }
        int rows = outBatched ? batch : 1;
        Span<int> index = stackalloc int[plan.Dims.Length];
        for (int r = 0; r < rows; r++)
        {
            int aBase = plan.ABatched ? r * plan.ASize : 0, bBase = plan.BBatched ? r * plan.BSize : 0;
            index.Clear();
            int ai = 0, bi = 0;
            for (int i = 0; i < plan.RowSize; i++)
            {
                y[r * plan.RowSize + i] = Apply(op, a[aBase + ai], b[bBase + bi]);
                Advance(plan, index, ref ai, ref bi);
            }
        }
    }

    /// <summary>
    /// The gradient of one operand (<paramref name="operand"/> 0 for a, 1 for b), overwritten: the
    /// upstream gradient times the local derivative, summed over the dimensions that were broadcast.
    /// </summary>
    public static void Backward(Span<float> grad, int operand, ReadOnlySpan<float> dy, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
                                BinaryOp op, int batch, BroadcastPlan plan)
    {
        bool outBatched = plan.ABatched || plan.BBatched;
        int rows = outBatched ? batch : 1;
        bool targetBatched = operand == 0 ? plan.ABatched : plan.BBatched;
        int targetSize = operand == 0 ? plan.ASize : plan.BSize;
        grad[..((targetBatched ? batch : 1) * targetSize)].Clear();
        Span<int> index = stackalloc int[plan.Dims.Length];
        for (int r = 0; r < rows; r++)
        {
            int aBase = plan.ABatched ? r * plan.ASize : 0, bBase = plan.BBatched ? r * plan.BSize : 0;
            index.Clear();
            int ai = 0, bi = 0;
            for (int i = 0; i < plan.RowSize; i++)
            {
                float g = dy[r * plan.RowSize + i];
                float av = a.IsEmpty ? 0f : a[aBase + ai], bv = b.IsEmpty ? 0f : b[bBase + bi];
                if (operand == 0)
                    grad[aBase + ai] += op switch
                    {
                        BinaryOp.Add or BinaryOp.Subtract => g,
                        BinaryOp.Multiply => g * bv,
                        _ => g / bv,
                    };
                else
                    grad[bBase + bi] += op switch
                    {
                        BinaryOp.Add => g,
                        BinaryOp.Subtract => -g,
                        BinaryOp.Multiply => g * av,
                        _ => -g * av / (bv * bv),
                    };
                Advance(plan, index, ref ai, ref bi);
            }
        }
    }

    private static float Apply(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        _ => a / b,
    };

    // Odometer over the output's per-example index, keeping a's and b's offsets in step.
    private static void Advance(BroadcastPlan plan, Span<int> index, ref int ai, ref int bi)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            ai += plan.AStrides[d];
            bi += plan.BStrides[d];
            if (++index[d] < plan.Dims[d]) return;
            ai -= plan.AStrides[d] * plan.Dims[d];
            bi -= plan.BStrides[d] * plan.Dims[d];
            index[d] = 0;
        }
    }
}
