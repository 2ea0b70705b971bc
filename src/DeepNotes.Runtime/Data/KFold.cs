namespace DeepNotes;

/// <summary>
/// k-fold cross-validation over contiguous folds: fold f of n examples in k folds is a contiguous
/// range, the first n % k folds holding one example more than the others.
/// </summary>
public static class KFold
{
    /// <summary>The range [start, start + count) of fold <paramref name="fold"/> of <paramref name="k"/> over <paramref name="n"/> examples.</summary>
    public static (int start, int count) Fold(int n, int k, int fold)
    {
        Validate(n, k, fold);
        int size = n / k, extra = n % k;
        int start = fold * size + Math.Min(fold, extra);
        return (start, size + (fold < extra ? 1 : 0));
    }

    /// <summary>Training indices (all but the fold, ascending) and validation indices (the fold) over 0..n-1.</summary>
    public static (int[] train, int[] validation) Split(int n, int k, int fold)
    {
        Validate(n, k, fold);
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) identity[i] = i;
        return Split(identity, k, fold);
    }

    /// <summary>
    /// Folds over positions in <paramref name="order"/> (e.g. a shuffled permutation): the validation
    /// set is order[start .. start + count) of <see cref="Fold"/>, training is the rest in order.
    /// </summary>
    public static (int[] train, int[] validation) Split(ReadOnlySpan<int> order, int k, int fold)
    {
        (int start, int count) = Fold(order.Length, k, fold);
        int[] validation = order.Slice(start, count).ToArray();
        int[] train = new int[order.Length - count];
        order[..start].CopyTo(train);
        order[(start + count)..].CopyTo(train.AsSpan(start));
        return (train, validation);
    }

    private static void Validate(int n, int k, int fold)
    {
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), k, "k-fold needs at least 2 folds.");
        if (n < k) throw new ArgumentOutOfRangeException(nameof(n), n, $"{n} examples cannot make {k} non-empty folds.");
        if (fold < 0 || fold >= k) throw new ArgumentOutOfRangeException(nameof(fold), fold, $"Fold must be in [0, {k}).");
    }
}
