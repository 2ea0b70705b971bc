using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>Diagnostics of the attention ops (Transpose, MatMul with a transposed operand, CausalSoftmax): id, span and message.</summary>
public class AttentionDiagnosticTests
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
    public void DN0102_transposed_operand_shown_as_matmul_sees_it()
        => Single("DN0102", """
            [Model]
            public partial class WrongScores
            {
                [Linear(8, 6)] private partial Tensor Q(Tensor x);
                [Linear(8, 5)] private partial Tensor K(Tensor x);

                [Forward]
                private Tensor Forward([Shape(4, 8)] Tensor x) => [|MatMul(Q(x), Transpose(K(x)))|];
            }
            """,
            "MatMul(Q(x), Transpose(K(x))): inner dimensions differ, [4, 6] x [5, 4]");

    [Fact]
    public void DN0106_transpose_of_a_vector()
        => Single("DN0106", """
            [Model]
            public partial class VectorTranspose
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => [|Transpose(x)|];
            }
            """,
            "Transpose(x): Transpose swaps the last two axes of per-example matrices [..., n, m], but its input has shape [B, 4]");

    [Fact]
    public void DN0106_matmul_with_a_transposed_vector()
        => Single("DN0106", """
            [Model]
            public partial class VectorTransposeInMatMul
            {
                [Forward] private Tensor Forward([Shape(3, 4)] Tensor x, [Shape(4)] Tensor v) => [|MatMul(x, Transpose(v))|];
            }
            """,
            "MatMul(x, Transpose(v)): Transpose swaps the last two axes of per-example matrices [..., n, m], but its input has shape [B, 4]");

    [Fact]
    public void DN0106_causal_softmax_of_a_vector()
        => Single("DN0106", """
            [Model]
            public partial class VectorCausal
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => [|CausalSoftmax(x)|];
            }
            """,
            "CausalSoftmax(x): CausalSoftmax masks per-example matrices [..., n, m] (row i sees columns 0..i), but its input has shape [B, 4]");

    [Fact]
    public void DN0101_layer_norm_features_differ_from_the_last_axis()
        => Single("DN0101", """
            [Model]
            public partial class WrongNorm
            {
                [LayerNorm(8)] private partial Tensor Norm(Tensor x);

                [Forward] private Tensor Forward([Shape(8, 4)] Tensor x) => [|Norm(x)|];
            }
            """,
            "Norm(x): layer expects 8 features in the last axis but its input has shape [B, 8, 4]");

    [Fact]
    public void DN0006_layer_norm_without_features()
        => Single("DN0006", """
            [Model]
            public partial class EmptyNorm
            {
                [[|LayerNorm(0, Epsilon = 1e-5f)|]] private partial Tensor Norm(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Norm(x);
            }
            """,
            "Layer 'Norm': layer norm needs a positive feature count, got 0");

    [Fact]
    public void DN0106_a_head_count_that_does_not_divide_the_width()
        => Single("DN0106", """
            [Model]
            public partial class ThreeHeads
            {
                [Forward] private Tensor Forward([Shape(64, 128)] Tensor x) => [|Reshape(x, 64, 3, -1)|];
            }
            """,
            "Reshape(x, 64, 3, -1): cannot reshape [B, 64, 128] (8192 values per example) to [B, 64, 3, -1]");

    [Fact]
    public void DN0106_reshape_to_another_element_count()
        => Single("DN0106", """
            [Model]
            public partial class WrongCount
            {
                [Forward] private Tensor Forward([Shape(4, 6)] Tensor x) => [|Reshape(x, 4, 2, 4)|];
            }
            """,
            "Reshape(x, 4, 2, 4): cannot reshape [B, 4, 6] (24 values per example) to [B, 4, 2, 4]");

    [Fact]
    public void DN0106_permute_axes_that_are_not_a_permutation()
        => Single("DN0106", """
            [Model]
            public partial class WrongAxes
            {
                [Forward] private Tensor Forward([Shape(4, 2, 3)] Tensor x) => [|Permute(x, 1, 1, 0)|];
            }
            """,
            "Permute(x, 1, 1, 0): Permute needs a permutation of the 3 axes of [B, 4, 2, 3] (0..2, at most 4), got (1, 1, 0)");

    [Fact]
    public void DN0106_matmul_leading_axes_differ()
        => Single("DN0106", """
            [Model]
            public partial class WrongHeads
            {
                [Forward] private Tensor Forward([Shape(2, 4, 3)] Tensor a, [Shape(4, 3, 4)] Tensor b) => [|MatMul(a, b)|];
            }
            """,
            "MatMul(a, b): MatMul of operands with leading axes needs the same leading axes on both sides ([..., n, k] x [..., k, m]), got [B, 2, 4, 3] and [B, 4, 3, 4]");

    [Fact]
    public void DN0102_per_head_inner_dimensions()
        => Single("DN0102", """
            [Model]
            public partial class WrongHeadScores
            {
                [Forward] private Tensor Forward([Shape(2, 4, 3)] Tensor q, [Shape(2, 4, 5)] Tensor k) => [|MatMul(q, Transpose(k))|];
            }
            """,
            "MatMul(q, Transpose(k)): inner dimensions differ, [2, 4, 3] x [2, 5, 4]");
}
