using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// The token ops: embedding lookup (gather) and its backward (scatter-add into the touched rows only),
/// one-hot encoding, and the mean over the non-padding slots (CBOW's context average). Ids are
/// checked by the generated code (<see cref="ModelChecks.Tokens"/>) before any of these runs; a
/// <see cref="Tokens.Padding"/> id (-1) embeds to zeros and gets no gradient.
/// </summary>
public static class Embedding
{
    /// <summary>y[i, :] = table[ids[i], :] for the first <paramref name="count"/> ids (zeros for padding).</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int count, int width)
    {
        for (int i = 0; i < count; i++)
        {
            int id = ids[i];
            Span<float> row = y.Slice(i * width, width);
            if (id < 0) row.Clear();
            else table.Slice(id * width, width).CopyTo(row);
        }
    }

    /// <summary>
    /// dTable[ids[i], :] += dy[i, :]: only the rows named by the ids are read or written, and a row named
    /// twice accumulates both (accumulates into <paramref name="dTable"/>; padding ids are skipped).
    /// </summary>
    public static void Backward(Span<float> dTable, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, int count, int width)
    {
        for (int i = 0; i < count; i++)
        {
            int id = ids[i];
            if (id < 0) continue;
            Span<float> row = dTable.Slice(id * width, width);
            TensorPrimitives.Add(row, dy.Slice(i * width, width), row);
        }
    }

    /// <summary>Element by element, the reference the kernels are tested against.</summary>
    public static void ForwardReference(Span<float> y, ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int count, int width)
    {
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++)
                y[i * width + j] = ids[i] < 0 ? 0f : table[ids[i] * width + j];
    }

    public static void BackwardReference(Span<float> dTable, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, int count, int width)
    {
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width && ids[i] >= 0; j++)
                dTable[ids[i] * width + j] += dy[i * width + j];
    }

    /// <summary>y[i, :] = onehot(ids[i]) over <paramref name="classes"/> columns (a zero row for padding).</summary>
    public static void OneHot(Span<float> y, ReadOnlySpan<int> ids, int count, int classes)
    {
        y.Slice(0, count * classes).Clear();
        for (int i = 0; i < count; i++)
            if (ids[i] >= 0) y[i * classes + ids[i]] = 1f;
    }

    /// <summary>
    /// y[b, :] = mean over the slots s with ids[b, s] ≠ padding of x[b, s, :], for x [rows, slots, width];
    /// zeros when every slot of a row is padding.
    /// </summary>
    public static void MaskedMeanForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<int> ids, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            Span<float> yb = y.Slice(b * width, width);
            yb.Clear();
            int valid = 0;
            for (int s = 0; s < slots; s++)
            {
                if (ids[b * slots + s] < 0) continue;
                TensorPrimitives.Add(yb, x.Slice((b * slots + s) * width, width), yb);
                valid++;
            }
            if (valid > 1) TensorPrimitives.Multiply(yb, 1f / valid, yb);
        }
    }

    /// <summary>dx[b, s, :] = dy[b, :] / valid(b) for the non-padding slots, 0 for the padding ones (overwrites).</summary>
    public static void MaskedMeanBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<int> ids, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            int valid = 0;
            for (int s = 0; s < slots; s++) if (ids[b * slots + s] >= 0) valid++;
            float scale = valid == 0 ? 0f : 1f / valid;
            ReadOnlySpan<float> dyb = dy.Slice(b * width, width);
            for (int s = 0; s < slots; s++)
            {
                Span<float> dxs = dx.Slice((b * slots + s) * width, width);
                if (ids[b * slots + s] < 0) dxs.Clear();
                else TensorPrimitives.Multiply(dyb, scale, dxs);
            }
        }
    }

    public static void MaskedMeanReference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<int> ids, int rows, int slots, int width)
    {
        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < width; j++)
            {
                double sum = 0;
                int valid = 0;
                for (int s = 0; s < slots; s++)
                {
                    if (ids[b * slots + s] < 0) continue;
                    sum += x[(b * slots + s) * width + j];
                    valid++;
                }
                y[b * width + j] = valid == 0 ? 0f : (float)(sum / valid);
            }
        }
    }
}
