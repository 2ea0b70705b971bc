using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>Diagnostics of the vision ops, blocks and indexed layers: id, span and message.</summary>
public class VisionDiagnosticTests
{
    private const string Header = "using DeepNotes;\nusing static DeepNotes.Ops;\n\nnamespace Tests;\n\n";

    private static Diagnostic Single(string id, string body, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error, string? compilerError = null)
    {
        Markup markup = Markup.Parse(Header + body);
        GeneratorRun run = GeneratorHarness.Run(markup.Source);
        run.AssertGeneratorDidNotThrow();
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == id);
        Assert.Equal(severity, d.Severity);
        Assert.Equal(message, d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(markup.MarkedText, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        // No C# errors of our making (a layer stub that does not match a wrong signature is not written: CS8795 stays).
        Assert.Equal(compilerError is null ? [] : [compilerError], run.OutputDiagnostics.Where(e => e.Severity == DiagnosticSeverity.Error).Select(e => e.Id));
        return d;
    }

    [Fact]
    public void DN0101_conv_channels_differ_from_the_input()
        => Single("DN0101", """
            [Model]
            public partial class WrongChannels
            {
                [Conv2d(3, 8, Kernel = 3)] private partial Tensor C(Tensor x);
                [Forward] private Tensor Forward([Shape(1, 28, 28)] Tensor x) => Flatten([|C(x)|]);
            }
            """,
            "C(x): layer expects 3 input channels [C, H, W] but its input has shape [B, 1, 28, 28]");

    [Fact]
    public void DN0107_kernel_larger_than_the_padded_input()
        => Single("DN0107", """
            [Model]
            public partial class BigKernel
            {
                [Conv2d(1, 2, Kernel = 7, Padding = 1)] private partial Tensor C(Tensor x);
                [Forward] private Tensor Forward([Shape(1, 4, 4)] Tensor x) => Flatten([|C(x)|]);
            }
            """,
            "C(x): the convolution window 7×7 does not fit the padded input 6×6 (input [B, 1, 4, 4] with padding 1×1)");

    [Fact]
    public void DN0107_pooling_window_larger_than_the_input()
        => Single("DN0107", """
            [Model]
            public partial class BigPool
            {
                [Forward] private Tensor Forward([Shape(2, 3, 3)] Tensor x) => Flatten([|MaxPool2d(x, 4)|]);
            }
            """,
            "MaxPool2d(x, 4): the pooling window 4×4 does not fit the padded input 3×3 (input [B, 2, 3, 3] with padding 0×0)");

    [Fact]
    public void DN0108_inexact_output_size_is_information_and_the_model_still_compiles()
    {
        Diagnostic d = Single("DN0108", """
            [Model]
            public partial class Floors
            {
                [Conv2d(1, 2, Kernel = 3, Stride = 2)] private partial Tensor C(Tensor x);
                [Forward] private Tensor Forward([Shape(1, 8, 8)] Tensor x) => Flatten([|C(x)|]);
            }
            """,
            "C(x): (8 + 2·0 − 3) / 2 is not a whole number; the output is floored to 3 and the last 1 input row(s) or column(s) are never read",
            DiagnosticSeverity.Info);
        Assert.Equal("DN0108", d.Id);
    }

    [Fact]
    public void DN0106_pool_padding_more_than_half_the_kernel()
        => Single("DN0106", """
            [Model]
            public partial class PadPool
            {
                [Forward] private Tensor Forward([Shape(2, 8, 8)] Tensor x) => Flatten([|AvgPool2d(x, 2, 2, 2)|]);
            }
            """,
            "AvgPool2d(x, 2, 2, 2): padding 2 is more than half the kernel 2");

    [Fact]
    public void DN0101_batch_norm_channels_differ()
        => Single("DN0101", """
            [Model]
            public partial class WrongBn
            {
                [BatchNorm2d(4)] private partial Tensor Bn(Tensor x);
                [Forward] private Tensor Forward([Shape(3, 5, 5)] Tensor x) => Flatten([|Bn(x)|]);
            }
            """,
            "Bn(x): layer expects 4 channels [C, H, W] but its input has shape [B, 3, 5, 5]");

    [Fact]
    public void DN0106_index_of_an_indexed_layer_out_of_range()
        => Single("DN0106", """
            [Model]
            public partial class Indexed
            {
                [Linear(4, 4, Count = 2)] private partial Tensor L(int i, Tensor x);
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => [|L(2, x)|];
            }
            """,
            "L(2, x): the index of L must be a constant in [0, 2), got a constant");

    [Fact]
    public void DN0006_indexed_layer_needs_an_int_index()
        => Single("DN0006", """
            [Model]
            public partial class NoIndex
            {
                [Linear(4, 4, Count = 2)] private partial Tensor [|L|](Tensor x);
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
            }
            """,
            "Layer 'L': a layer with Count = 2 must take an int index and a Tensor, and return a Tensor", compilerError: "CS8795");

    [Fact]
    public void DN0012_block_parameter_of_an_unsupported_type()
        => Single("DN0012", """
            [Model]
            public partial class BadBlock
            {
                [Block] private Tensor Twice(Tensor x, float [|scale|]) => x * 2f;
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
            }
            """,
            "[Block] method 'Twice': parameter 'scale' must be a Tensor, Tokens or an int (a constant index), not float");

    [Fact]
    public void Blocks_inline_and_indexed_layers_share_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """
            [Model]
            public partial class Stack
            {
                [Linear(4, 4, Count = 3)] private partial Tensor L(int i, Tensor x);
                [Block] private Tensor Layer(Tensor x, int i) => Tanh(L(i, x)) + x;
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Layer(Layer(Layer(x, 0), 1), 2);
                [Loss] private Tensor Loss(Tensor y, [Shape(4)] Tensor t) => Mse(y, t);
            }
            """);
        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertOutputCompilesCleanly();
        string source = run.SingleSource;
        foreach (string name in new[] { "L.0.weight", "L.1.weight", "L.2.weight", "L.2.bias" })
            Assert.Contains($"\"{name}\"", source, StringComparison.Ordinal);
        Assert.Contains("partial global::DeepNotes.Tensor L(int i, global::DeepNotes.Tensor x)", source, StringComparison.Ordinal);
    }
}
