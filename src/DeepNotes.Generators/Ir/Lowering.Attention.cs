using System.Globalization;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

// The layers and layout ops of attention models: LayerNorm over the last axis, Reshape (a view) and
// Permute (a copy), with which multi-head attention splits and merges its heads.
internal sealed partial class Lowering
{
    /// <summary>[..., features] → the same shape; each row keeps its mean and 1/σ for backward.</summary>
    private Term LowerLayerNorm(Value x, LayerSpec layer, ExprSpec e)
    {
        Shape s = x.Shape;
        if (!s.Batched || s.Rank == 0 || s.Dims[s.Rank - 1] != layer.In)
        {
            Report(DiagnosticDescriptors.LayerInputMismatch, e.Location, e.Text,
                layer.In.ToString(CultureInfo.InvariantCulture) + " features in the last axis", s);
            return Term.Error;
        }
        Value y = _graph.NewValue(s, Temp());
        Node node = _graph.Add(NodeKind.LayerNorm, new[] { x }, y, e.Text);
        node.Layer = layer;
        node.InPlace = true;
        var rows = new Shape(true, s.Dims.Take(s.Rank - 1).ToArray());
        node.Aux = _graph.NewValue(rows, "mean");
        node.Aux2 = _graph.NewValue(rows, "invStd");
        return Term.Of(y);
    }

    private Term LowerLayoutOp(System.Collections.Generic.List<Term> args, ExprSpec e)
    {
        if (args.Count < 2 || args[0].Value is not { } x || args.Skip(1).Any(a => a.Constant is null))
            return BadOperand(e, $"{e.Name} takes a tensor and constant ints");
        if (!x.Shape.Batched) return BadOperand(e, $"{e.Name} needs a per-example tensor, not {x.Shape}");
        float[] values = args.Skip(1).Select(a => a.Constant!.Value).ToArray();
        if (values.Any(v => v != System.Math.Floor(v) || v < -1 || v > int.MaxValue))
            return BadOperand(e, $"the {(e.Name == "Reshape" ? "dims" : "axes")} of {e.Name} must be constant ints, got ({Join(values)})");
        int[] ints = values.Select(v => (int)v).ToArray();
        if (e.Name == "Reshape")
        {
            // One -1 takes whatever the other dims leave; the element count must not change.
            int known = ints.Where(d => d != -1).Aggregate(1, (p, d) => p * d), unknown = ints.Count(d => d == -1);
            if (ints.Contains(0) || unknown > 1 || (unknown == 1 && (known == 0 || x.Shape.Size % known != 0)) || (unknown == 0 && known != x.Shape.Size))
                return BadOperand(e, $"cannot reshape {x.Shape} ({x.Shape.Size} values per example) to [B, {Join(values)}]" +
                    (unknown > 1 ? ": at most one dim may be -1" : ints.Contains(0) ? ": dims must be positive" : ""));
            int[] dims = ints.Select(d => d == -1 ? x.Shape.Size / known : d).ToArray();
            Value view = _graph.NewValue(new Shape(true, dims), Temp());
            _graph.Add(NodeKind.Flatten, new[] { x }, view, e.Text); // a view, differentiated like Flatten
            view.AliasOf = x;
            return Term.Of(view);
        }
        if (x.Shape.Rank > 4 || ints.Length != x.Shape.Rank || ints.OrderBy(a => a).Where((a, i) => a != i).Any())
            return BadOperand(e, $"Permute needs a permutation of the {x.Shape.Rank} axes of {x.Shape} (0..{x.Shape.Rank - 1}, at most 4), got ({Join(values)})");
        Value y = _graph.NewValue(new Shape(true, ints.Select(a => x.Shape.Dims[a]).ToArray()), Temp());
        _graph.Add(NodeKind.Permute, new[] { x }, y, e.Text).Axes = ints;
        return Term.Of(y);
    }

    private static string Join(float[] values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
