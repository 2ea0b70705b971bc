namespace DeepNotes;

/// <summary>One-hot encoding of class labels.</summary>
public static class OneHot
{
    /// <summary>
    /// Writes the one-hot rows of <paramref name="labels"/> into <paramref name="output"/>
    /// ([labels.Length, numClasses] row-major, exactly that long). All labels are checked
    /// before anything is written.
    /// </summary>
    public static void Encode(Span<float> output, ReadOnlySpan<int> labels, int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        if ((long)labels.Length * numClasses != output.Length)
            throw new ArgumentException(
                $"Output has {output.Length} floats; {labels.Length} labels x {numClasses} classes need {(long)labels.Length * numClasses}.",
                nameof(output));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)numClasses)
                throw new ArgumentOutOfRangeException(nameof(labels),
                    $"Label {i} is {labels[i]}, outside [0, {numClasses}).");
        }
        output.Clear();
        for (int i = 0; i < labels.Length; i++) output[i * numClasses + labels[i]] = 1f;
    }
}
