using Microsoft.CodeAnalysis.CSharp;

namespace DeepNotes.Generators.Model;

/// <summary>Names as C# source text.</summary>
internal static class CSharpNames
{
    /// <summary>A name as an identifier: keywords get an @ (a name that already has one is left alone).</summary>
    public static string Identifier(string name) =>
        name.StartsWith("@", System.StringComparison.Ordinal) || SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;
}
