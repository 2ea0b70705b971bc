using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// The token ops: embedding lookup (gather) and its backward (scatter-add into the named rows only),
/// one-hot encoding, the masked mean over the first axis (CBOW's context average) and the fused bag of
/// embeddings (a masked mean of looked-up rows, PyTorch's <c>EmbeddingBag</c> with per-sample weights).
/// Ids are checked by the generated code (<see cref="ModelChecks.Tokens"/>) before any of these runs.
/// </summary>
public static class Embedding
{
    /// <summary>y[i, :] = table[ids[i], :] for the first <paramref name="count"/> ids.</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int count, int width)
    {
        for (int i = 0; i < count; i++)
            table.Slice(ids[i] * width, width).CopyTo(y.Slice(i * width, width));
    }

    /// <summary>
    /// dTable[ids[i], :] += dy[i, :]: only the rows named by the ids are read or written, and a row named
    /// twice accumulates both (accumulates into <paramref name="dTable"/>).
    /// </summary>
    public static void Backward(Span<float> dTable, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, int count, int width)
    {
        for (int i = 0; i < count; i++)
        {
            Span<float> row = dTable.Slice(ids[i] * width, width);
            TensorPrimitives.Add(row, dy.Slice(i * width, width), row);
        }
    }

    /// <summary>Element by element, the reference the kernels are tested against.</summary>
    public static void ForwardReference(Span<float> y, ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int count, int width)
    {
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                y[i * width + j] = table[ids[i] * width + j];
    }

    public static void BackwardReference(Span<float> dTable, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, int count, int width)
    {
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                dTable[ids[i] * width + j] += dy[i * width + j];
    }

    /// <summary>y[i, :] = onehot(ids[i]) over <paramref name="classes"/> columns (overwrites).</summary>
    public static void OneHot(Span<float> y, ReadOnlySpan<int> ids, int count, int classes)
    {
        y.Slice(0, count * classes).Clear();
        for (int i = 0; i < count; i++) y[i * classes + ids[i]] = 1f;
    }

    /// <summary>
    /// y[b, :] = Σₛ mask[b, s]·x[b, s, :] / Σₛ mask[b, s] for x [rows, slots, width] (zeros where the mask
    /// sums to 0). Slots whose weight is 0 are not read.
    /// </summary>
    public static void MaskedMeanForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            Span<float> yb = y.Slice(b * width, width);
            yb.Clear();
            ReadOnlySpan<float> mb = mask.Slice(b * slots, slots);
            float total = TensorPrimitives.Sum(mb);
            if (total == 0f) continue;
            for (int s = 0; s < slots; s++)
                if (mb[s] != 0f) TensorPrimitives.MultiplyAdd(x.Slice((b * slots + s) * width, width), mb[s] / total, yb, yb);
        }
    }

    /// <summary>dx[b, s, :] = dy[b, :]·mask[b, s] / Σₛ mask[b, s] (overwrites; 0 where the mask sums to 0).</summary>
    public static void MaskedMeanBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            ReadOnlySpan<float> mb = mask.Slice(b * slots, slots);
            float total = TensorPrimitives.Sum(mb);
            ReadOnlySpan<float> dyb = dy.Slice(b * width, width);
            for (int s = 0; s < slots; s++)
            {
                Span<float> dxs = dx.Slice((b * slots + s) * width, width);
                if (total == 0f || mb[s] == 0f) dxs.Clear();
                else TensorPrimitives.Multiply(dyb, mb[s] / total, dxs);
            }
        }
    }

    /// <summary>
    /// The gradient of the weights: dmask[b, s] = dy[b, :]·(x[b, s, :] − y[b, :]) / Σₛ mask[b, s] (overwrites;
    /// 0 where the mask sums to 0). Only needed when the mask depends on parameters.
    /// </summary>
    public static void MaskedMeanBackwardMask(Span<float> dmask, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
                                              ReadOnlySpan<float> mask, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            float total = TensorPrimitives.Sum(mask.Slice(b * slots, slots));
            ReadOnlySpan<float> dyb = dy.Slice(b * width, width);
            float dyDotY = total == 0f ? 0f : TensorPrimitives.Dot(dyb, y.Slice(b * width, width));
            for (int s = 0; s < slots; s++)
                dmask[b * slots + s] = total == 0f ? 0f : (TensorPrimitives.Dot(dyb, x.Slice((b * slots + s) * width, width)) - dyDotY) / total;
        }
    }

    public static void MaskedMeanReference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            double total = 0;
            for (int s = 0; s < slots; s++) total += mask[b * slots + s];
            for (int j = 0; j < width; j++)
            {
                double sum = 0;
                for (int s = 0; s < slots; s++) sum += (double)mask[b * slots + s] * x[(b * slots + s) * width + j];
                y[b * width + j] = total == 0 ? 0f : (float)(sum / total);
            }
        }
    }

    /// <summary>
    /// The fused <c>MaskedMean(Embedding(ids), mask)</c>: y[b, :] = Σₛ mask[b, s]·table[ids[b, s], :] / Σₛ mask[b, s]
    /// (zeros where the mask sums to 0). A slot whose weight is 0 is never read: its id may be anything
    /// the checks let through (CbowBatcher pads with a real id, &lt;unk&gt;'s 0).
    /// </summary>
    public static void BagForward(Span<float> y, ReadOnlySpan<int> ids, ReadOnlySpan<float> mask, ReadOnlySpan<float> table, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            Span<float> yb = y.Slice(b * width, width);
            yb.Clear();
            ReadOnlySpan<float> mb = mask.Slice(b * slots, slots);
            float total = TensorPrimitives.Sum(mb);
            if (total == 0f) continue;
            for (int s = 0; s < slots; s++)
                if (mb[s] != 0f) TensorPrimitives.MultiplyAdd(table.Slice(ids[b * slots + s] * width, width), mb[s] / total, yb, yb);
        }
    }

    /// <summary>
    /// dTable[ids[b, s], :] += dy[b, :]·mask[b, s] / Σₛ mask[b, s] for the slots whose weight is not 0
    /// (accumulates; no other row is read or written).
    /// </summary>
    public static void BagBackward(Span<float> dTable, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, ReadOnlySpan<float> mask, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            ReadOnlySpan<float> mb = mask.Slice(b * slots, slots);
            float total = TensorPrimitives.Sum(mb);
            if (total == 0f) continue;
            ReadOnlySpan<float> dyb = dy.Slice(b * width, width);
            for (int s = 0; s < slots; s++)
            {
                if (mb[s] == 0f) continue;
                Span<float> row = dTable.Slice(ids[b * slots + s] * width, width);
                TensorPrimitives.MultiplyAdd(dyb, mb[s] / total, row, row);
            }
        }
    }
}
