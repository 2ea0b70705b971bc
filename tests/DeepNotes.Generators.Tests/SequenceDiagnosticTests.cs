using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>Diagnostics of the sequence ops (Concat, Split, PositionalEncoding, Softmax with a mask, per-position labels): id, span and message.</summary>
public class SequenceDiagnosticTests
{
    private const string Header = "using DeepNotes;\nusing static DeepNotes.Ops;\n\nnamespace Tests;\n\n";

    private static void Single(string id, string body, string message)
    {
        Markup markup = Markup.Parse(Header + body);
        GeneratorRun run = GeneratorHarness.Run(markup.Source);
        run.AssertGeneratorDidNotThrow();
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(message, d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(markup.Span, d.Location.SourceSpan);
        Assert.Empty(run.OutputDiagnostics.Where(e => e.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void DN0106_concat_axis_out_of_range()
        => Single("DN0106", """
            [Model]
            public partial class ConcatAxis
            {
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor a, [Shape(4, 6)] Tensor b) => [|Concat(2, a, b)|];
            }
            """,
            "Concat(2, a, b): axis 2 is out of range for per-example tensors of rank 2 (use 0..1 or -2..-1)");

    [Fact]
    public void DN0106_concat_sizes_differ_off_the_axis()
        => Single("DN0106", """
            [Model]
            public partial class ConcatSizes
            {
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor a, [Shape(5, 3)] Tensor b) => [|Concat(-1, a, b)|];
            }
            """,
            "Concat(-1, a, b): Concat along axis 1 needs the same sizes on every other axis, but axis 0 differs: [B, 4, 6] and [B, 5, 3]");

    [Fact]
    public void DN0106_concat_of_different_ranks()
        => Single("DN0106", """
            [Model]
            public partial class ConcatRanks
            {
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor a, [Shape(24)] Tensor b) => Flatten([|Concat(0, a, b)|]);
            }
            """,
            "Concat(0, a, b): Concat needs tensors of one rank, got [B, 4, 6] and [B, 24]");

    [Fact]
    public void DN0106_split_size_not_divisible_by_parts()
        => Single("DN0106", """
            [Model]
            public partial class SplitParts
            {
                [Forward] private Tensor Forward([Shape(4, 10)] Tensor x) => [|Split(x, 1, 3, 0)|];
            }
            """,
            "Split(x, 1, 3, 0): Split of axis 1 of [B, 4, 10] into 3 equal parts: 10 is not divisible by 3");

    [Fact]
    public void DN0106_split_axis_out_of_range()
        => Single("DN0106", """
            [Model]
            public partial class SplitAxis
            {
                [Forward] private Tensor Forward([Shape(4, 10)] Tensor x) => [|Split(x, -3, 2, 0)|];
            }
            """,
            "Split(x, -3, 2, 0): axis -3 is out of range for [B, 4, 10] (use 0..1 or -2..-1)");

    [Fact]
    public void DN0106_split_index_outside_the_parts()
        => Single("DN0106", """
            [Model]
            public partial class SplitIndex
            {
                [Forward] private Tensor Forward([Shape(4, 10)] Tensor x) => [|Split(x, 1, 2, 2)|];
            }
            """,
            "Split(x, 1, 2, 2): the index of the part must be a constant in [0, 2), got 2");

    [Fact]
    public void DN0106_positional_encoding_of_a_vector()
        => Single("DN0106", """
            [Model]
            public partial class PositionsOfAVector
            {
                [Forward] private Tensor Forward([Shape(6)] Tensor x) => [|PositionalEncoding(x)|];
            }
            """,
            "PositionalEncoding(x): PositionalEncoding adds to per-example sequences [n, d], but its input has shape [B, 6]");

    [Fact]
    public void DN0106_softmax_mask_of_another_length()
        => Single("DN0106", """
            [Model]
            public partial class MaskLength
            {
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor scores, [Shape(4)] Tensor mask) => [|Softmax(scores, mask)|];
            }
            """,
            "Softmax(scores, mask): the mask of Softmax over scores [B, 4, 6] must be one float per column of each example, [B, 6], but it has shape [B, 4]");

    [Fact]
    public void DN0106_softmax_mask_that_is_computed()
        => Single("DN0106", """
            [Model]
            public partial class ComputedMask
            {
                [Linear(6, 6)] private partial Tensor M(Tensor x);
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor scores, [Shape(6)] Tensor mask) => [|Softmax(scores, M(mask))|];
            }
            """,
            "Softmax(scores, M(mask)): the mask of Softmax must be an input of [Forward] (it gets no gradient), but 't0' is computed");

    [Fact]
    public void DN0104_per_position_labels_and_scores_differ()
        => Single("DN0104", """
            [Model]
            public partial class PositionLabels
            {
                [Linear(6, 3)] private partial Tensor Out(Tensor x);
                [Forward] private Tensor Forward([Shape(5, 6)] Tensor x) => Out(x);
                [Loss] private Tensor Loss(Tensor logits, [Shape(4)] Labels y) => [|CrossEntropy(logits, y)|];
            }
            """,
            "CrossEntropy(logits, y): CrossEntropy with labels of shape [4] needs class scores [4, C] per example, but its input has shape [B, 5, 3]");

    [Fact]
    public void DN0008_labels_with_a_zero_dimension()
        => Single("DN0008", """
            [Model]
            public partial class EmptyLabels
            {
                [Linear(6, 3)] private partial Tensor Out(Tensor x);
                [Forward] private Tensor Forward([Shape(5, 6)] Tensor x) => Out(x);
                [Loss] private Tensor Loss(Tensor logits, [Shape(0)] Labels [|y|]) => CrossEntropy(logits, y);
            }
            """,
            "[Loss] method 'Loss': labels 'y' need positive dimensions");
}
