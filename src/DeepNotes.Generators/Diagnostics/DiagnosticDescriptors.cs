using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are stable; docs/diagnostics.md lists them.</summary>
internal static class DiagnosticDescriptors
{
    private const string Declaration = "DeepNotes.Declaration";
    private const string Shapes = "DeepNotes.Shapes";
    private const string Gpu = "DeepNotes.Gpu";

    // DN00xx: the declaration of the model.
    public static readonly DiagnosticDescriptor ModelNotPartial = new(
        "DN0001", "Model class must be partial",
        "Model class '{0}' must be declared partial so the generator can add its code",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingForward = new(
        "DN0002", "Model has no [Forward] method",
        "Model '{0}' has no method marked [Forward]",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedStatement = new(
        "DN0003", "Unsupported statement in a model body",
        "'{0}' is not supported in a [{1}] body: use local variables, assignments and one return",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedExpression = new(
        "DN0004", "Unsupported call or expression in a model body",
        "'{0}' is not supported in a model body: {1}",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadForwardSignature = new(
        "DN0005", "Invalid [Forward] signature",
        "[Forward] method '{0}': {1}",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadLayerDeclaration = new(
        "DN0006", "Invalid layer declaration",
        "Layer '{0}': {1}",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateMethod = new(
        "DN0007", "More than one [Forward] or [Loss] method",
        "Model '{0}' has more than one [{1}] method",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadLossSignature = new(
        "DN0008", "Invalid [Loss] signature",
        "[Loss] method '{0}': {1}",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NestedModel = new(
        "DN0009", "Model class must not be nested or generic",
        "Model class '{0}' must be a non-generic top-level class",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownVariable = new(
        "DN0010", "Variable is not a tensor of the model body",
        "'{0}' is not a parameter or local tensor of this body",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotAModelType = new(
        "DN0011", "[Model] must be on a non-static, non-abstract class",
        "'{0}' is {1}: a [Model] must be a non-static, non-abstract partial class",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadBlockSignature = new(
        "DN0012", "Invalid [Block] signature",
        "[Block] method '{0}': {1}",
        Declaration, DiagnosticSeverity.Error, isEnabledByDefault: true);

    // DN01xx: shapes and operands.
    public static readonly DiagnosticDescriptor LayerInputMismatch = new(
        "DN0101", "Layer input size disagrees with its input",
        "{0}: layer expects {1} but its input has shape {2}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MatMulMismatch = new(
        "DN0102", "MatMul inner dimensions differ",
        "{0}: inner dimensions differ, {1} x {2}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotBroadcastable = new(
        "DN0103", "Shapes are not broadcastable",
        "{0}: shapes {1} and {2} cannot be broadcast together",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor LossInputMismatch = new(
        "DN0104", "Loss inputs do not fit",
        "{0}: {1}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor LossNotScalar = new(
        "DN0105", "Loss is not a scalar",
        "[Loss] must return a scalar, but '{0}' has shape {1}; reduce it with Mean or Sum",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadOperand = new(
        "DN0106", "Invalid operand",
        "{0}: {1}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WindowTooLarge = new(
        "DN0107", "Kernel larger than the padded input",
        "{0}: the {1} window {2} does not fit the padded input {3}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InexactOutputSize = new(
        "DN0108", "Window does not tile the input exactly",
        "{0}: ({1} + 2·{2} − {3}) / {4} is not a whole number; the output is floored to {5} and the last {6} input row(s) or column(s) are never read",
        Shapes, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TokensAsFloats = new(
        "DN0109", "Token ids used where floats are needed",
        "{0}: {1} needs float tensors, but is given token ids (Tokens); turn them into floats with an [Embedding] layer or OneHot first",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FloatsAsTokens = new(
        "DN0110", "A float tensor where token ids are needed",
        "{0}: {1} takes token ids (a Tokens input of [Forward]), but is given {2}",
        Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    // DN02xx: the GPU plan (only when the compilation references DeepNotes.Gpu).
    // Info, not a warning: the CPU model is complete and correct without its GPU plan, so a build that treats
    // warnings as errors must not fail over it; code that uses the missing GpuPlan fails to compile anyway (CS0426).
    public static readonly DiagnosticDescriptor NoGpuRule = new(
        "DN0201", "Model has no GPU plan",
        "Model '{0}' gets no GpuPlan: the op {1} in '{2}' has no GPU rule (the referenced DeepNotes.Gpu has no Kernels.{3})",
        Gpu, DiagnosticSeverity.Info, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = Build();

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static Dictionary<string, DiagnosticDescriptor> Build()
    {
        var all = new[]
        {
            ModelNotPartial, MissingForward, UnsupportedStatement, UnsupportedExpression, BadForwardSignature,
            BadLayerDeclaration, DuplicateMethod, BadLossSignature, NestedModel, UnknownVariable, NotAModelType, BadBlockSignature,
            LayerInputMismatch, MatMulMismatch, NotBroadcastable, LossInputMismatch, LossNotScalar, BadOperand,
            WindowTooLarge, InexactOutputSize, TokensAsFloats, FloatsAsTokens, NoGpuRule,
        };
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (DiagnosticDescriptor d in all) map.Add(d.Id, d);
        return map;
    }
}
