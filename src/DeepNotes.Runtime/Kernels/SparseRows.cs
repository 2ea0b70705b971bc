namespace DeepNotes.Kernels;

/// <summary>
/// Bookkeeping of the rows of an embedding table that a backward pass touched, so that neither the
/// gradient nor the optimizer ever sweeps the whole table. A table's gradient is zero outside the
/// rows in its list; each backward first clears the rows the previous one listed
/// (<see cref="Release"/>), then lists its own (<see cref="Collect(Span{int}, Span{int}, int, ReadOnlySpan{int})"/>),
/// each row once however many times the batch names it; <see cref="Sgd.UpdateRows"/> then updates
/// exactly those rows. <c>marks</c> has one entry per vocabulary row, 1 while the row is in the list,
/// 0 otherwise, so both steps cost O(rows touched), never O(vocabulary).
/// </summary>
public static class SparseRows
{
    /// <summary>Zeroes the gradient rows in <paramref name="rows"/> and unmarks them.</summary>
    public static void Release(Span<float> gradient, Span<int> marks, ReadOnlySpan<int> rows, int width)
    {
        foreach (int row in rows)
        {
            gradient.Slice(row * width, width).Clear();
            marks[row] = 0;
        }
    }

    /// <summary>
    /// Appends each id of <paramref name="ids"/> that is not yet marked to <paramref name="rows"/> after its
    /// first <paramref name="count"/> entries, and marks it. Returns the new count.
    /// </summary>
    public static int Collect(Span<int> rows, Span<int> marks, int count, ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
        {
            if (marks[id] != 0) continue;
            marks[id] = 1;
            rows[count++] = id;
        }
        return count;
    }

    /// <summary>
    /// As <see cref="Collect(Span{int}, Span{int}, int, ReadOnlySpan{int})"/>, skipping the ids whose weight in
    /// <paramref name="mask"/> is 0 (the padding slots of a bag of embeddings, which get no gradient).
    /// </summary>
    public static int Collect(Span<int> rows, Span<int> marks, int count, ReadOnlySpan<int> ids, ReadOnlySpan<float> mask)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if (mask[i] == 0f || marks[id] != 0) continue;
            marks[id] = 1;
            rows[count++] = id;
        }
        return count;
    }
}
