using System;

namespace DeepNotes.Kernels;

/// <summary>The length check every kernel makes of its operands (the GPU twins make it too, on their views' lengths).</summary>
internal static class Operands
{
    /// <summary>Throws ArgumentException naming <paramref name="name"/> when it holds fewer than <paramref name="needed"/> elements.</summary>
    public static void Require(long length, long needed, string name)
    {
        if (length < needed)
            throw new ArgumentException($"Operand '{name}' is too short: it has {length} elements but {needed} are needed.", name);
    }
}
