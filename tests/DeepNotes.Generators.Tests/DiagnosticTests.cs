using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>
/// One small invalid model per diagnostic: the id, the exact place (the [| |] span of the source),
/// the message, and that the user sees only that error (the generator does not throw and still
/// implements the layer methods, so there is no CS8795 and no cascade).
/// </summary>
public sealed class DiagnosticTests
{
    private const string Header = "using DeepNotes;\nusing static DeepNotes.Ops;\n\nnamespace Tests;\n\n";

    /// <summary>Runs the generator on <paramref name="body"/> and checks it reports exactly one diagnostic, as given.</summary>
    private static GeneratorRun AssertDiagnostic(string id, string body, string message, params string[] compilerErrors)
    {
        Markup markup = Markup.Parse(Header + body);
        GeneratorRun run = GeneratorHarness.Run(markup.Source);
        run.AssertGeneratorDidNotThrow();

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(message, d.GetMessage(CultureInfo.InvariantCulture));

        // A real source location (so the IDE squiggles it and #pragma applies), at the marked span.
        Assert.Equal(LocationKind.SourceFile, d.Location.Kind);
        SyntaxTree tree = d.Location.SourceTree!;
        Assert.Same(run.Input.SyntaxTrees.Single(), tree);
        Assert.Equal(markup.MarkedText, tree.GetText().ToString(d.Location.SourceSpan));
        Assert.Equal(markup.Span, d.Location.SourceSpan);
        Assert.Equal(markup.LineSpan, d.Location.GetLineSpan().Span);
        Assert.Equal("Model.cs", d.Location.GetLineSpan().Path);

        // The only compiler errors are the ones C# itself has with the source; never CS8795 (a layer left unimplemented).
        string[] errors = run.OutputDiagnostics.Where(e => e.Severity == DiagnosticSeverity.Error).Select(e => e.Id).ToArray();
        Assert.Equal(compilerErrors, errors);
        Assert.DoesNotContain(run.OutputDiagnostics, e => e.Severity == DiagnosticSeverity.Warning);
        return run;
    }

    // ---- DN0001-DN0010: the declaration ----

    [Fact]
    public void DN0001_model_class_not_partial()
    {
        GeneratorRun run = AssertDiagnostic("DN0001", """
            [Model]
            public sealed class [|Plain|]
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Relu(x);
            }
            """,
            "Model class 'Plain' must be declared partial so the generator can add its code");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void DN0002_no_forward_method()
    {
        GeneratorRun run = AssertDiagnostic("DN0002", """
            [Model]
            public partial class [|NoForward|]
            {
                [Linear(4, 2)] private partial Tensor Out(Tensor x);

                [Loss] private Tensor Loss(Tensor y, Labels t) => CrossEntropy(y, t);
            }
            """,
            "Model 'NoForward' has no method marked [Forward]");
        Assert.Contains("partial global::DeepNotes.Tensor Out(global::DeepNotes.Tensor x)", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void DN0003_if_statement_in_forward()
    {
        AssertDiagnostic("DN0003", """
            [Model]
            public partial class WithIf
            {
                private static bool Flag => true;

                [Forward]
                private Tensor Forward([Shape(4)] Tensor x)
                {
                    [|if (Flag) x = Relu(x);|]
                    return x;
                }
            }
            """,
            "'if (Flag) x = Relu(x);' is not supported in a [Forward] body: use local variables, assignments and one return");
    }

    [Fact]
    public void DN0003_for_loop_in_loss_shows_its_first_line()
    {
        AssertDiagnostic("DN0003", """
            [Model]
            public partial class WithLoop
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;

                [Loss]
                private Tensor Loss(Tensor y, Labels t)
                {
                    var loss = CrossEntropy(y, t);
                    [|for (int i = 0; i < 3; i++)
                    {
                        loss = loss * 0.5f;
                    }|]
                    return loss;
                }
            }
            """,
            "'for (int i = 0; i < 3; i++)' is not supported in a [Loss] body: use local variables, assignments and one return");
    }

    [Fact]
    public void DN0004_call_to_Math_Max()
    {
        AssertDiagnostic("DN0004", """
            [Model]
            public partial class WithMathMax
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x * [|System.Math.Max(2f, 3f)|];
            }
            """,
            "'System.Math.Max(2f, 3f)' is not supported in a model body: 'Math.Max(float, float)' is neither an op of DeepNotes.Ops, a layer nor a [Block] of the model");
    }

    [Fact]
    public void DN0004_call_to_a_method_that_is_not_a_layer()
    {
        AssertDiagnostic("DN0004", """
            [Model]
            public partial class WithHelper
            {
                private static Tensor Twice(Tensor t) => t + t;

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Relu([|Twice(x)|]);
            }
            """,
            "'Twice(x)' is not supported in a model body: 'WithHelper.Twice(Tensor)' is neither an op of DeepNotes.Ops, a layer nor a [Block] of the model");
    }

    [Fact]
    public void DN0004_conditional_expression()
    {
        AssertDiagnostic("DN0004", """
            [Model]
            public partial class WithConditional
            {
                private static bool Flag => true;

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => [|Flag ? x : Relu(x)|];
            }
            """,
            "'Flag ? x : Relu(x)' is not supported in a model body: only op calls, layer calls, tensors, numeric constants and + - * / are allowed");
    }

    [Fact]
    public void DN0005_forward_parameter_without_shape()
    {
        AssertDiagnostic("DN0005", """
            [Model]
            public partial class NoShape
            {
                [Forward] private Tensor Forward(Tensor [|x|]) => Relu(x);
            }
            """,
            "[Forward] method 'Forward': parameter 'x' needs a [Shape(...)] with positive dimensions (the per-example shape; the batch is implicit)");
    }

    [Fact]
    public void DN0005_forward_shape_with_a_zero_dimension()
    {
        AssertDiagnostic("DN0005", """
            [Model]
            public partial class ZeroShape
            {
                [Forward] private Tensor Forward([Shape(4, 0)] Tensor [|x|]) => Relu(x);
            }
            """,
            "[Forward] method 'Forward': parameter 'x' needs a [Shape(...)] with positive dimensions (the per-example shape; the batch is implicit)");
    }

    [Fact]
    public void DN0005_forward_with_labels_input()
    {
        AssertDiagnostic("DN0005", """
            [Model]
            public partial class LabelsInput
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor a, Labels [|y|]) => a;
            }
            """,
            "[Forward] method 'Forward': parameter 'y' is Labels: labels go to the [Loss]; the inputs of [Forward] are Tensors and Tokens");
    }

    [Fact]
    public void DN0005_forward_parameter_of_another_type()
    {
        AssertDiagnostic("DN0005", """
            [Model]
            public partial class FloatInput
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x, float [|scale|]) => x * scale;
            }
            """,
            "[Forward] method 'Forward': parameter 'scale' must be a Tensor or Tokens, not float");
    }

    [Fact]
    public void DN0006_layer_that_is_not_partial()
    {
        AssertDiagnostic("DN0006", """
            [Model]
            public partial class BodyLayer
            {
                [Linear(4, 2)] private Tensor [|Out|](Tensor x) => x;

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """,
            "Layer 'Out': a layer must be a partial method without a body");
    }

    [Fact]
    public void DN0006_layer_partial_method_the_user_implemented()
    {
        AssertDiagnostic("DN0006", """
            [Model]
            public partial class ImplementedLayer
            {
                [Linear(4, 2)] private partial Tensor [|Out|](Tensor x);
                private partial Tensor Out(Tensor x) => x;

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """,
            "Layer 'Out': a layer must be a partial method without a body");
    }

    [Fact]
    public void DN0006_linear_with_a_zero_size()
    {
        GeneratorRun run = AssertDiagnostic("DN0006", """
            [Model]
            public partial class ZeroLinear
            {
                [[|Linear(0, 10)|]] private partial Tensor Out(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """,
            "Layer 'Out': Linear sizes must be positive, got (0, 10)");
        Assert.Contains("partial global::DeepNotes.Tensor Out(global::DeepNotes.Tensor x)", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void DN0006_dropout_probability_out_of_range()
    {
        AssertDiagnostic("DN0006", """
            [Model]
            public partial class BadDropout
            {
                [[|Dropout(1.5f)|]] private partial Tensor Drop(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Drop(x);
            }
            """,
            "Layer 'Drop': dropout probability must be in [0, 1), got 1.5");
    }

    [Fact]
    public void DN0006_normal_init_with_a_negative_std()
    {
        AssertDiagnostic("DN0006", """
            [Model]
            public partial class BadStd
            {
                [[|Linear(4, 2, Init = Init.Normal, Std = -0.5f)|]] private partial Tensor Out(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """,
            "Layer 'Out': Std must be positive, got -0.5");
    }

    [Fact]
    public void DN0007_two_forward_methods()
    {
        AssertDiagnostic("DN0007", """
            [Model]
            public partial class TwoForwards
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Relu(x);
                [Forward] private Tensor [|Forward2|]([Shape(4)] Tensor x) => Sigmoid(x);
            }
            """,
            "Model 'TwoForwards' has more than one [Forward] method");
    }

    [Fact]
    public void DN0007_two_loss_methods()
    {
        AssertDiagnostic("DN0007", """
            [Model]
            public partial class TwoLosses
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor Loss(Tensor y, Labels t) => CrossEntropy(y, t);
                [Loss] private Tensor [|Loss2|](Tensor y, Labels t) => Nll(y, t);
            }
            """,
            "Model 'TwoLosses' has more than one [Loss] method");
    }

    [Fact]
    public void DN0008_loss_with_one_parameter()
    {
        AssertDiagnostic("DN0008", """
            [Model]
            public partial class OneArgLoss
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor [|Loss|](Tensor y) => Mean(y);
            }
            """,
            "[Loss] method 'Loss': it must take the forward output (Tensor) and the targets (Labels, or a Tensor)");
    }

    [Fact]
    public void DN0008_loss_parameter_of_another_type()
    {
        AssertDiagnostic("DN0008", """
            [Model]
            public partial class IntTargets
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor Loss(Tensor y, int[] [|labels|]) => Mean(y);
            }
            """,
            "[Loss] method 'Loss': parameter 'labels' must be a Tensor or Labels, not int[]");
    }

    [Fact]
    public void DN0008_loss_that_does_not_return_a_tensor()
    {
        AssertDiagnostic("DN0008", """
            [Model]
            public partial class FloatLoss
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private float [|Loss|](Tensor y, Labels t) => 0f;
            }
            """,
            "[Loss] method 'Loss': must return Tensor, not float");
    }

    [Fact]
    public void DN0009_nested_model_still_gets_its_layers_implemented()
    {
        GeneratorRun run = AssertDiagnostic("DN0009", """
            public partial class Outer
            {
                [Model]
                public partial class [|Inner|]
                {
                    [Linear(4, 2)] private partial Tensor Out(Tensor x);

                    [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
                }
            }
            """,
            "Model class 'Inner' must be a non-generic top-level class");
        Assert.Null(run.Output.GetTypeByMetadataName("Tests.Inner"));
    }

    [Fact]
    public void DN0009_generic_model_still_gets_its_layers_implemented()
    {
        GeneratorRun run = AssertDiagnostic("DN0009", """
            [Model]
            public partial class [|Generic|]<T>
            {
                [Linear(4, 2)] private partial Tensor Out(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """,
            "Model class 'Generic' must be a non-generic top-level class");
        Assert.Null(run.Output.GetTypeByMetadataName("Tests.Generic"));
    }

    [Theory]
    [InlineData("public static partial class [|S|] { [Forward] static Tensor F([Shape(4)] Tensor x) => x; }", "S", "a static class")]
    [InlineData("public abstract partial class [|A|] { [Forward] Tensor F([Shape(4)] Tensor x) => x; }", "A", "an abstract class")]
    [InlineData("public partial record [|R|] { [Forward] Tensor F([Shape(4)] Tensor x) => x; }", "R", "a record")]
    public void DN0011_model_on_a_type_that_cannot_hold_a_model(string declaration, string name, string what)
    {
        GeneratorRun run = AssertDiagnostic("DN0011", "[Model]\n" + declaration,
            $"'{name}' is {what}: a [Model] must be a non-static, non-abstract partial class");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void DN0010_field_of_type_Tensor()
    {
        AssertDiagnostic("DN0010", """
            [Model]
            public partial class TensorField
            {
                private readonly Tensor _bias = null!;

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x + [|_bias|];
            }
            """,
            "'_bias' is not a parameter or local tensor of this body");
    }

    // ---- DN0101-DN0106: shapes and operands ----

    [Fact]
    public void DN0101_linear_input_features_differ_from_the_input()
    {
        AssertDiagnostic("DN0101", """
            [Model]
            public partial class WrongIn
            {
                [Linear(784, 256)] private partial Tensor Hidden(Tensor x);

                [Forward] private Tensor Forward([Shape(100)] Tensor x) => Relu([|Hidden(x)|]);
            }
            """,
            "Hidden(x): layer expects 784 input features but its input has shape [B, 100]");
    }

    [Fact]
    public void DN0101_second_layer_after_a_flatten()
    {
        AssertDiagnostic("DN0101", """
            [Model]
            public partial class WrongSecond
            {
                [Linear(784, 256)] private partial Tensor Hidden(Tensor x);
                [Linear(128, 10)] private partial Tensor Out(Tensor x);

                [Forward]
                private Tensor Forward([Shape(1, 28, 28)] Tensor image)
                {
                    var h = Relu(Hidden(Flatten(image)));
                    return [|Out(h)|];
                }
            }
            """,
            "Out(h): layer expects 128 input features but its input has shape [B, 256]");
    }

    [Fact]
    public void DN0102_matmul_inner_dimensions()
    {
        AssertDiagnostic("DN0102", """
            [Model]
            public partial class WrongMatMul
            {
                [Linear(4, 5)] private partial Tensor Wide(Tensor x);

                [Forward]
                private Tensor Forward([Shape(3, 4)] Tensor x)
                {
                    var h = Wide(x);
                    return [|MatMul(x, h)|];
                }
            }
            """,
            "MatMul(x, h): inner dimensions differ, [3, 4] x [3, 5]");
    }

    [Fact]
    public void DN0103_shapes_that_do_not_broadcast()
    {
        AssertDiagnostic("DN0103", """
            [Model]
            public partial class WrongAdd
            {
                [Linear(3, 4)] private partial Tensor Up(Tensor x);

                [Forward]
                private Tensor Forward([Shape(3)] Tensor x)
                {
                    var h = Up(x);
                    return [|x + h|];
                }
            }
            """,
            "x + h: shapes [B, 3] and [B, 4] cannot be broadcast together");
    }

    [Fact]
    public void DN0104_cross_entropy_on_a_rank_two_output()
    {
        AssertDiagnostic("DN0104", """
            [Model]
            public partial class RankTwoScores
            {
                [Forward] private Tensor Forward([Shape(2, 5)] Tensor x) => Relu(x);
                [Loss] private Tensor Loss(Tensor scores, Labels y) => [|CrossEntropy(scores, y)|];
            }
            """,
            "CrossEntropy(scores, y): CrossEntropy needs per-example class scores [C], but its input has shape [B, 2, 5]");
    }

    [Fact]
    public void DN0104_mse_with_shapes_that_differ()
    {
        AssertDiagnostic("DN0104", """
            [Model]
            public partial class WrongTargets
            {
                [Linear(4, 10)] private partial Tensor Out(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Sigmoid(Out(x));
                [Loss] private Tensor Loss(Tensor p, [Shape(5)] Tensor t) => [|Mse(p, t)|];
            }
            """,
            "Mse(p, t): prediction [B, 10] and target [B, 5] differ in shape");
    }

    [Fact]
    public void DN0104_labels_passed_to_mse()
    {
        // C# rejects the call too (CS1503: Labels is not a Tensor); the generator explains what to do instead.
        AssertDiagnostic("DN0104", """
            [Model]
            public partial class LabelsToMse
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor Loss(Tensor p, Labels y) => [|Mse(p, y)|];
            }
            """,
            "Mse(p, y): Labels can only be passed to CrossEntropy or Nll",
            "CS1503");
    }

    [Fact]
    public void DN0105_loss_that_is_not_reduced()
    {
        AssertDiagnostic("DN0105", """
            [Model]
            public partial class Unreduced
            {
                [Forward] private Tensor Forward([Shape(10)] Tensor x) => Sigmoid(x);

                [Loss]
                private Tensor Loss(Tensor p, [Shape(10)] Tensor t)
                {
                    var d = p - t;
                    return [|d * d|];
                }
            }
            """,
            "[Loss] must return a scalar, but 'd * d' has shape [B, 10]; reduce it with Mean or Sum");
    }

    [Fact]
    public void DN0106_dropout_op_probability_out_of_range()
    {
        AssertDiagnostic("DN0106", """
            [Model]
            public partial class DropAll
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => [|Dropout(x, 1.2f)|];
            }
            """,
            "Dropout(x, 1.2f): dropout probability must be in [0, 1), got 1.2");
    }

    [Fact]
    public void DN0106_softmax_of_a_scalar()
    {
        AssertDiagnostic("DN0106", """
            [Model]
            public partial class ScalarSoftmax
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor Loss(Tensor y, [Shape(4)] Tensor t) => [|Softmax(Mean(y - t))|];
            }
            """,
            "Softmax(Mean(y - t)): Softmax needs at least one axis, but its input has shape []");
    }

    [Fact]
    public void DN0106_flatten_of_a_scalar()
    {
        AssertDiagnostic("DN0106", """
            [Model]
            public partial class ScalarFlatten
            {
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x;
                [Loss] private Tensor Loss(Tensor y, [Shape(4)] Tensor t) => Mean([|Flatten(Sum(y - t))|]);
            }
            """,
            "Flatten(Sum(y - t)): Flatten needs a per-example tensor, not []");
    }

    [Fact]
    public void Diagnostic_is_in_source_so_pragma_warning_disable_applies()
    {
        const string source = Header + """
            [Model]
            public partial class Suppressed
            {
                private readonly Tensor _bias = null!;

            #pragma warning disable DN0010
                [Forward] private Tensor Forward([Shape(4)] Tensor x) => x + _bias;
            #pragma warning restore DN0010
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotThrow();
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DN0010", d.Id);
        Assert.True(d.IsSuppressed);
    }

    // ---- Robustness: source the compiler rejects, or odd but legal declarations. ----

    public static TheoryData<string> BrokenSources() => new()
    {
        // Unary minus on Labels, an op with too many arguments, a missing layer argument.
        "[Model] public partial class A { [Forward] Tensor F([Shape(4)] Tensor x) => x; [Loss] Tensor L(Tensor y, Labels t) => CrossEntropy(y, -t); }",
        "[Model] public partial class B { [Forward] Tensor F([Shape(4)] Tensor x) => Relu(x, x); }",
        "[Model] public partial class C { [Linear(4, 2)] private partial Tensor Out(Tensor x); [Forward] Tensor F([Shape(4)] Tensor x) => Out(); }",
        // Attributes without arguments or with wrong ones.
        "[Model] public partial class D { [Linear] private partial Tensor Out(Tensor x); [Forward] Tensor F([Shape] Tensor x) => Out(x); }",
        "[Model] public partial class E { [Dropout(\"p\")] private partial Tensor Drop(Tensor x); [Forward] Tensor F([Shape(-1)] Tensor x) => Drop(x); }",
        // Layer signatures that are wrong in every way.
        "[Model] public partial class F { [Linear(4, 2)] private static partial Tensor Out(Tensor x); [Forward] Tensor F([Shape(4)] Tensor x) => Out(x); }",
        "[Model] public partial class G { [Linear(4, 2)] private partial float Out(Tensor x, int y); [Forward] Tensor F([Shape(4)] Tensor x) => x; }",
        "[Model] public partial class H { [Linear(4, 2)] private partial Tensor Out(in Tensor x); [Forward] Tensor F([Shape(4)] Tensor x) => Out(x); }",
        // Bodies that do not finish, or refer to things that do not exist.
        "[Model] public partial class I { [Forward] Tensor F([Shape(4)] Tensor x) { var h = Relu(x); } }",
        "[Model] public partial class J { [Forward] Tensor F([Shape(4)] Tensor x) => Missing(x) + y; }",
        "[Model] public partial class K { [Forward] Tensor F([Shape(4)] Tensor x) => Relu(x) [Loss] }",
        // Both a model and a layer on the same declaration; a model that is a static class.
        "[Model] public partial class L { [Forward, Linear(4, 4)] private partial Tensor F([Shape(4)] Tensor x); }",
        "[Model] public static partial class M { [Forward] static Tensor F([Shape(4)] Tensor x) => x; }",
        // The forward output fed back as labels, and a loss with no return.
        "[Model] public partial class N { [Forward] Tensor F([Shape(4)] Tensor x) => x; [Loss] Tensor L(Tensor y, Tensor t) => CrossEntropy(y, t); }",
        "[Model] public partial class O { [Forward] Tensor F([Shape(4)] Tensor x) => x; [Loss] Tensor L(Tensor y, Labels t) { throw null!; } }",
        // A keyword as a layer name.
        "[Model] public partial class P { [Linear(4, 2)] private partial Tensor @in(Tensor @class); [Forward] Tensor F([Shape(4)] Tensor @event) => @in(@event); }",
    };

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public void Generator_never_throws(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(Header + source);
        run.AssertGeneratorDidNotThrow();
    }

    [Fact]
    public void Layer_with_a_keyword_name_is_implemented()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """
            [Model]
            public partial class KeywordLayer
            {
                [Linear(4, 2)] private partial Tensor @in(Tensor @class);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => @in(x);
            }
            """);
        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertOutputCompilesCleanly();
        Assert.Contains("partial global::DeepNotes.Tensor @in(global::DeepNotes.Tensor @class)", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_with_a_keyword_parameter_name_is_implemented()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """
            [Model]
            public partial class Keywords
            {
                [Linear(4, 2)] private partial Tensor Out(Tensor @in);

                [Forward] private Tensor Forward([Shape(4)] Tensor @event) => Out(@event);
            }
            """);
        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertOutputCompilesCleanly();
        Assert.Contains("partial global::DeepNotes.Tensor Out(global::DeepNotes.Tensor @in)", run.SingleSource, StringComparison.Ordinal);
    }
}
