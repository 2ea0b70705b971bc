namespace DeepNotes.Cli;

/// <summary>How the learning rate changes from epoch to epoch (<c>--schedule</c>).</summary>
internal enum LearningRateSchedule
{
    /// <summary>The same rate every epoch.</summary>
    Constant,

    /// <summary>
    /// Cosine annealing per epoch (Loshchilov and Hutter's SGDR without restarts): epoch e of E (from 0)
    /// trains at lr·½(1 + cos(π·e/E)), from lr in the first epoch down to lr·½(1 − cos(π/E)) in the last.
    /// </summary>
    Cosine,
}

internal static class Schedules
{
    /// <summary>The name on the command line and in the header line.</summary>
    public static string Name(this LearningRateSchedule schedule) => schedule switch
    {
        LearningRateSchedule.Constant => "constant",
        LearningRateSchedule.Cosine => "cosine",
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
    };

    /// <summary>Parses <c>constant</c> or <c>cosine</c> (any case); false for anything else.</summary>
    public static bool TryParse(string text, out LearningRateSchedule schedule)
    {
        if (string.Equals(text, "constant", StringComparison.OrdinalIgnoreCase)) { schedule = LearningRateSchedule.Constant; return true; }
        if (string.Equals(text, "cosine", StringComparison.OrdinalIgnoreCase)) { schedule = LearningRateSchedule.Cosine; return true; }
        schedule = default;
        return false;
    }

    /// <summary>
    /// The learning rate of 0-based <paramref name="epoch"/> out of <paramref name="epochs"/> for the base rate
    /// <paramref name="learningRate"/>. Always positive: the cosine reaches zero only after the last epoch.
    /// </summary>
    public static float Rate(this LearningRateSchedule schedule, float learningRate, int epoch, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(epoch, epochs);
        return schedule switch
        {
            LearningRateSchedule.Constant => learningRate,
            LearningRateSchedule.Cosine => (float)(learningRate * 0.5 * (1.0 + Math.Cos(Math.PI * epoch / epochs))),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
        };
    }
}
