using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>
/// Diagnostics of token inputs, the Embedding layer and the token ops: id, span and message, and that the
/// generator reports nothing else. Where C# itself rejects the code (a Tokens value is not a Tensor), its
/// error is expected beside ours, which says what to do instead.
/// </summary>
public class TokenDiagnosticTests
{
    private const string Header = "using DeepNotes;\nusing static DeepNotes.Ops;\n\nnamespace Tests;\n\n";

    private static void Single(string id, string body, string message, params string[] compilerErrors)
    {
        Markup markup = Markup.Parse(Header + body);
        GeneratorRun run = GeneratorHarness.Run(markup.Source);
        run.AssertGeneratorDidNotThrow();
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(message, d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(markup.MarkedText, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Equal(markup.Span, d.Location.SourceSpan);
        Assert.Equal(compilerErrors, run.OutputDiagnostics.Where(e => e.Severity == DiagnosticSeverity.Error).Select(e => e.Id));
    }

    [Fact]
    public void DN0109_tokens_given_to_an_op_on_floats()
        => Single("DN0109", """
            [Model]
            public partial class ReluOfTokens
            {
                [Forward] private Tensor Forward([Shape(4)] Tokens t) => [|Relu(t)|];
            }
            """,
            "Relu(t): Relu needs float tensors, but is given token ids (Tokens); turn them into floats with an [Embedding] layer or OneHot first",
            "CS1503");

    [Fact]
    public void DN0109_tokens_given_to_a_linear_layer()
        => Single("DN0109", """
            [Model]
            public partial class LinearOfTokens
            {
                [Linear(4, 2)] private partial Tensor L(Tensor x);
                [Forward] private Tensor Forward([Shape(4)] Tokens t) => [|L(t)|];
            }
            """,
            "L(t): the Linear layer L needs float tensors, but is given token ids (Tokens); turn them into floats with an [Embedding] layer or OneHot first",
            "CS1503");

    [Fact]
    public void DN0109_tokens_as_the_mask_of_a_masked_mean()
        => Single("DN0109", """
            [Model]
            public partial class TokenMask
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward([Shape(3)] Tokens t) => [|MaskedMean(E(t), t)|];
            }
            """,
            "MaskedMean(E(t), t): the mask of MaskedMean needs float tensors, but is given token ids (Tokens); turn them into floats with an [Embedding] layer or OneHot first",
            "CS1503");

    [Fact]
    public void DN0110_embedding_of_a_float_tensor()
        => Single("DN0110", """
            [Model]
            public partial class EmbedFloats
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward([Shape(3)] Tensor x) => [|E(x)|];
            }
            """,
            "E(x): the Embedding layer E takes token ids (a Tokens input of [Forward]), but is given a float tensor [B, 3]",
            "CS1503");

    [Fact]
    public void DN0110_one_hot_of_a_float_tensor()
        => Single("DN0110", """
            [Model]
            public partial class OneHotOfFloats
            {
                [Forward] private Tensor Forward([Shape(3)] Tensor x) => [|OneHot(x, 5)|];
            }
            """,
            "OneHot(x, 5): OneHot takes token ids (a Tokens input of [Forward]), but is given a float tensor [B, 3]",
            "CS1503");

    [Fact]
    public void DN0006_embedding_sizes_must_be_positive()
        => Single("DN0006", """
            [Model]
            public partial class EmptyVocabulary
            {
                [[|Embedding(0, 8)|]] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens t) => E(t);
            }
            """,
            "Layer 'E': Embedding vocabulary and dimension must be positive, got (0, 8)");

    [Fact]
    public void DN0006_embedding_table_too_large()
        => Single("DN0006", """
            [Model]
            public partial class HugeTable
            {
                [[|Embedding(1_000_000, 1_000)|]] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens t) => E(t);
            }
            """,
            "Layer 'E': an Embedding table of 1000000 × 1000 floats is more than the 715827882 floats a model can hold (its parameters, gradients and optimizer state share one array)");

    [Fact]
    public void DN0006_embedding_declared_on_a_tensor()
        => Single("DN0006", """
            [Model]
            public partial class EmbeddingOfTensor
            {
                [Embedding(10, 4)] private partial Tensor [|E|](Tensor x);
                [Forward] private Tensor Forward([Shape(3)] Tensor x) => E(x);
            }
            """,
            "Layer 'E': an Embedding layer must take Tokens (token ids) and return a Tensor",
            "CS8795"); // the stub is not written for a signature that is not a layer's

    [Fact]
    public void DN0006_linear_declared_on_tokens()
        => Single("DN0006", """
            [Model]
            public partial class LinearOfTokensDeclared
            {
                [Linear(3, 4)] private partial Tensor [|L|](Tokens t);
                [Forward] private Tensor Forward([Shape(3)] Tokens t) => L(t);
            }
            """,
            "Layer 'L': a layer must take one Tensor and return a Tensor (token ids go to an [Embedding] layer)",
            "CS8795");

    [Fact]
    public void DN0005_token_input_with_an_empty_dimension()
        => Single("DN0005", """
            [Model]
            public partial class NoTokens
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward([Shape(0)] Tokens [|t|]) => E(t);
            }
            """,
            "[Forward] method 'Forward': parameter 't' needs a [Shape(...)] with positive dimensions, or none for one token per example");

    [Fact]
    public void DN0005_input_named_like_a_parameter_of_the_generated_methods()
        => Single("DN0005", """
            [Model]
            public partial class BatchInput
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens [|batch|]) => E(batch);
            }
            """,
            "[Forward] method 'Forward': parameter 'batch': the generated methods take one span per input, named after it, and 'batch' is one of their own parameters (output, target, batch, optimizer)");

    [Fact]
    public void DN0005_inputs_whose_size_constants_clash()
        => Single("DN0005", """
            [Model]
            public partial class SizeClash
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens word, [Shape(4)] Tensor [|Word|]) => E(word) + Word;
            }
            """,
            "[Forward] method 'Forward': parameter 'Word' would be described by the constant WordSize, which already describes 'word'");

    [Fact]
    public void DN0005_input_described_like_the_output()
        => Single("DN0005", """
            [Model]
            public partial class OutputClash
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens [|Output|]) => E(Output);
            }
            """,
            "[Forward] method 'Forward': parameter 'Output' would be described by the constant OutputSize, which already describes the output");

    [Fact]
    public void DN0005_forward_returning_tokens()
        => Single("DN0005", """
            [Model]
            public partial class ReturnsTokens
            {
                [Forward] private Tensor [|Forward|]([Shape(3)] Tokens t) => t;
            }
            """,
            "[Forward] method 'Forward': it must return a per-example float tensor, but returns token ids [B, 3]",
            "CS0029");

    [Fact]
    public void DN0008_targets_named_like_an_input()
        => Single("DN0008", """
            [Model]
            public partial class TargetsClash
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward(Tokens words) => E(words);
                [Loss] private Tensor Loss(Tensor y, Tensor [|words|]) => Mse(y, words);
            }
            """,
            "[Loss] method 'Loss': the targets 'words' have the name of an input of [Forward]; the generated TrainStep takes one span per input and one for the targets, named after them");

    [Fact]
    public void DN0106_one_hot_classes_must_be_a_positive_constant()
        => Single("DN0106", """
            [Model]
            public partial class NoClasses
            {
                [Forward] private Tensor Forward([Shape(3)] Tokens t) => [|OneHot(t, 0)|];
            }
            """,
            "OneHot(t, 0): the number of classes must be a positive constant int, got 0");

    [Fact]
    public void DN0106_masked_mean_with_a_mask_of_another_length()
        => Single("DN0106", """
            [Model]
            public partial class MaskLength
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward([Shape(3)] Tokens t, [Shape(5)] Tensor mask) => [|MaskedMean(E(t), mask)|];
            }
            """,
            "MaskedMean(E(t), mask): MaskedMean needs a tensor [n, ...] and a mask [n] with the same n, got [B, 3, 4] and [B, 5]");

    [Fact]
    public void DN0102_matrix_vector_product_of_the_wrong_length()
        => Single("DN0102", """
            [Model]
            public partial class MatVec
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Forward] private Tensor Forward([Shape(3)] Tokens t, [Shape(5)] Tensor u) => [|MatMul(E(t), u)|];
            }
            """,
            "MatMul(E(t), u): inner dimensions differ, [3, 4] x [5]");

    [Fact]
    public void Models_with_token_and_several_float_inputs_compile_cleanly()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """
            [Model]
            public partial class Mixed
            {
                [Embedding(10, 4)] private partial Tensor E(Tokens t);
                [Linear(4, 2)] private partial Tensor L(Tensor x);
                [Block] private Tensor Embed(Tokens ids, Tensor scale) => E(ids) * scale;
                [Forward]
                private Tensor Forward(Tokens word, [Shape(4)] Tensor scale, [Shape(2)] Tensor shift) => L(Embed(word, scale) + Flatten(OneHot(word, 4))) + shift;
                [Loss] private Tensor Loss(Tensor y, [Shape(2)] Tensor target) => Mse(y, target);
            }

            [Model]
            public partial class TwoFloatInputs
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor a, [Shape(4)] Tensor b) => a * b;
            }
            """);
        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertOutputCompilesCleanly();
    }
}
