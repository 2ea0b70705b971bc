using Microsoft.CodeAnalysis.Text;

namespace DeepNotes.Generators.Tests;

/// <summary>Test source with one span marked <c>[|like this|]</c>: the place a diagnostic must point at.</summary>
internal sealed record Markup(string Source, TextSpan Span)
{
    public string MarkedText => Source.Substring(Span.Start, Span.Length);

    public LinePositionSpan LineSpan => SourceText.From(Source).Lines.GetLinePositionSpan(Span);

    public static Markup Parse(string markup)
    {
        int start = markup.IndexOf("[|", StringComparison.Ordinal);
        int end = markup.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start || markup.IndexOf("[|", start + 2, StringComparison.Ordinal) >= 0)
            throw new ArgumentException("The test source must mark exactly one span with [| |].", nameof(markup));
        string source = markup[..start] + markup[(start + 2)..end] + markup[(end + 2)..];
        return new Markup(source, TextSpan.FromBounds(start, end - 2));
    }
}
