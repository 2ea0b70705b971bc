using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

// The inputs of [Forward] (float tensors and token ids), the names of the generated methods' parameters,
// and the token ops: Embedding, OneHot, MaskedMean.
internal sealed partial class Lowering
{
    /// <summary>
    /// Names the generated methods of a model with token inputs (or several inputs) use for their own
    /// parameters or constants; an input cannot take one, since those methods name their parameters after
    /// the inputs (and "target" would make a second TargetSize).
    /// </summary>
    private static readonly string[] s_reservedInputNames = { "output", "target", "batch", "optimizer" };

    /// <summary>One input value per [Forward] parameter; false (with a DN0005) when a parameter cannot be one.</summary>
    private bool LowerInputs(MethodSpec forward)
    {
        if (forward.Parameters.Count == 0)
        {
            Report(DiagnosticDescriptors.BadForwardSignature, forward.Location, forward.Name,
                "it must take at least one input: a Tensor with a [Shape(...)], or Tokens");
            return false;
        }
        bool ok = true;
        bool classic = forward.Parameters.Count == 1 && !forward.Parameters[0].IsTokens;
        // The constants "<Name>Size" that describe the inputs, and the two the generated code has already.
        var constants = new Dictionary<string, string>(System.StringComparer.Ordinal) { ["OutputSize"] = "the output", ["TargetSize"] = "the targets" };
        foreach (ParameterSpec input in forward.Parameters)
        {
            LocationInfo? at = input.Location ?? forward.Location;
            if (input.IsLabels)
            {
                Report(DiagnosticDescriptors.BadForwardSignature, at, forward.Name,
                    $"parameter '{input.Name}' is Labels: labels go to the [Loss]; the inputs of [Forward] are Tensors and Tokens");
                ok = false;
                continue;
            }
            if (input.IsTokens ? input.HasShape && (input.Shape.Count == 0 || input.Shape.Any(d => d <= 0))
                               : !input.HasShape || input.Shape.Count == 0 || input.Shape.Any(d => d <= 0))
            {
                Report(DiagnosticDescriptors.BadForwardSignature, at, forward.Name, input.IsTokens
                    ? $"parameter '{input.Name}' needs a [Shape(...)] with positive dimensions, or none for one token per example"
                    : $"parameter '{input.Name}' needs a [Shape(...)] with positive dimensions (the per-example shape; the batch is implicit)");
                ok = false;
                continue;
            }
            if (!classic)
            {
                if (s_reservedInputNames.Contains(input.Name))
                {
                    Report(DiagnosticDescriptors.BadForwardSignature, at, forward.Name,
                        $"parameter '{input.Name}': the generated methods take one span per input, named after it, and '{input.Name}' is one of their own parameters ({string.Join(", ", s_reservedInputNames)})");
                    ok = false;
                    continue;
                }
                string constant = Pascal(input.Name) + "Size";
                if (constants.TryGetValue(constant, out string? other))
                {
                    Report(DiagnosticDescriptors.BadForwardSignature, at, forward.Name,
                        $"parameter '{input.Name}' would be described by the constant {constant}, which already describes {(other.StartsWith("the ", System.StringComparison.Ordinal) ? other : "'" + other + "'")}");
                    ok = false;
                    continue;
                }
                constants[constant] = input.Name;
            }
            Value x = _graph.NewValue(new Shape(true, input.Shape.ToArray()), input.Name);
            x.Storage = StorageKind.Input;
            x.IsTokens = input.IsTokens;
            _graph.Inputs.Add(x);
            _env[input.Name] = input.IsTokens ? Term.TokensOf(x) : Term.Of(x);
        }
        return ok;
    }

    /// <summary>
    /// A model with token or several inputs names its methods' targets span after the [Loss]'s second
    /// parameter, so it must differ from every input and from the methods' own parameters.
    /// </summary>
    private bool CheckTargetName(MethodSpec forward, MethodSpec loss, ParameterSpec target)
    {
        string? clash = forward.Parameters.Any(p => p.Name == target.Name) ? "an input of [Forward]"
            : target.Name is "output" or "batch" or "optimizer" ? "a parameter of the generated methods" : null;
        if (clash is null) return true;
        Report(DiagnosticDescriptors.BadLossSignature, target.Location ?? loss.Location, loss.Name,
            $"the targets '{target.Name}' have the name of {clash}; the generated TrainStep takes one span per input and one for the targets, named after them");
        return false;
    }

    /// <summary>"contexts" → "Contexts": the stem of an input's generated constant (ContextsSize).</summary>
    internal static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    /// <summary>Tokens [...] → [..., dimension]: a gather from the table.</summary>
    private Term LowerEmbedding(Value tokens, LayerSpec layer, ExprSpec e)
    {
        Value y = _graph.NewValue(new Shape(true, tokens.Shape.Dims.Concat(new[] { layer.Out }).ToArray()), Temp());
        Node node = _graph.Add(NodeKind.Embedding, new[] { tokens }, y, e.Text);
        node.Layer = layer;
        return Term.Of(y);
    }

    private Term LowerTokenOp(List<Term> args, ExprSpec e)
    {
        if (e.Name == "OneHot")
        {
            if (args.Count != 2) return BadOperand(e, "OneHot takes token ids and a constant number of classes");
            if (!args[0].IsTokens) return FloatsAsTokens(e, "OneHot", args[0]);
            if (args[1].Constant is not float c || c != System.Math.Floor(c) || c < 1 || c > int.MaxValue)
                return BadOperand(e, $"the number of classes must be a positive constant int, got {(args[1].Constant is float g ? g.ToString(System.Globalization.CultureInfo.InvariantCulture) : Describe(args[1]))}");
            Value t = args[0].Tokens!;
            Value y = _graph.NewValue(new Shape(true, t.Shape.Dims.Concat(new[] { (int)c }).ToArray()), Temp());
            _graph.Add(NodeKind.OneHot, new[] { t }, y, e.Text);
            return Term.Of(y);
        }

        // MaskedMean(x [n, ...], mask [n]) → [...]
        if (args.Count != 2) return BadOperand(e, "MaskedMean takes a tensor [n, ...] and the weights [n] of its first axis");
        if (args[0].IsLabels || args[1].IsLabels) return LabelsMisuse(e);
        if (args[0].IsTokens) return TokensAsFloats(e, "the first argument of MaskedMean");
        if (args[1].IsTokens) return TokensAsFloats(e, "the mask of MaskedMean");
        if (args[0].Value is not { } x || args[1].Value is not { } mask)
            return BadOperand(e, "MaskedMean takes a tensor [n, ...] and the weights [n] of its first axis");
        if (!x.Shape.Batched || x.Shape.Rank == 0 || !mask.Shape.Batched || mask.Shape.Rank != 1 || mask.Shape.Dims[0] != x.Shape.Dims[0])
            return BadOperand(e, $"MaskedMean needs a tensor [n, ...] and a mask [n] with the same n, got {x.Shape} and {mask.Shape}");
        Value mean = _graph.NewValue(new Shape(true, x.Shape.Dims.Skip(1).ToArray()), Temp());
        _graph.Add(NodeKind.MaskedMean, new[] { x, mask }, mean, e.Text);
        return Term.Of(mean);
    }

    /// <summary>
    /// The largest id each token input may hold: the smallest vocabulary (or class count) among the ops that
    /// read it; int.MaxValue for an input that no op reads.
    /// </summary>
    internal static int TokenLimit(Value tokens)
    {
        int limit = int.MaxValue;
        foreach (Node user in tokens.Users)
        {
            if (user.Kind is NodeKind.Embedding or NodeKind.EmbeddingBag) limit = System.Math.Min(limit, user.Layer!.In);
            else if (user.Kind == NodeKind.OneHot) limit = System.Math.Min(limit, user.Output!.Shape.Dims[user.Output.Shape.Rank - 1]);
        }
        return limit;
    }
}
