using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

// The sequence ops: per-position labels, Concat and Split along a per-example axis, the sinusoidal
// positional encoding, and softmax with a key-padding mask.
internal sealed partial class Lowering
{
    /// <summary>[Shape(T)] Labels y: one class label per position; CrossEntropy then takes scores [T, C].</summary>
    private bool LowerLabelShape(MethodSpec loss, ParameterSpec target)
    {
        int[] dims = target.Shape.ToArray();
        if (dims.Length == 0 || dims.Any(d => d <= 0))
        {
            Report(DiagnosticDescriptors.BadLossSignature, target.Location, loss.Name, $"labels '{target.Name}' need positive dimensions");
            return false;
        }
        _graph.LabelDims = dims;
        return true;
    }

    /// <summary>CrossEntropy's and Nll's scores: [C] for one label per example, [T..., C] for labels of shape [T...].</summary>
    private bool ClassScoresFit(Value z, ExprSpec e)
    {
        int[]? labels = _graph.LabelDims;
        if (labels is null)
        {
            if (z.Shape.Batched && z.Shape.Rank == 1) return true;
            Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text, $"{e.Name} needs per-example class scores [C], but its input has shape {z.Shape}");
            return false;
        }
        if (z.Shape.Batched && z.Shape.Rank == labels.Length + 1 && z.Shape.Dims.Take(labels.Length).SequenceEqual(labels)) return true;
        string t = string.Join(", ", labels.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text,
            $"{e.Name} with labels of shape [{t}] needs class scores [{t}, C] per example, but its input has shape {z.Shape}");
        return false;
    }

    private Term LowerSequenceOp(List<Term> args, ExprSpec e)
    {
        switch (e.Name)
        {
            case "Concat":
            {
                if (args.Count < 2 || args[0].Constant is null || args.Skip(1).Any(a => a.Value is null))
                    return BadOperand(e, "Concat takes a constant axis and one or more tensors");
                Value[] xs = args.Skip(1).Select(a => a.Value!).ToArray();
                if (xs.Any(x => !x.Shape.Batched || x.Shape.Rank == 0))
                    return BadOperand(e, $"Concat joins per-example tensors with at least one axis, got {ShapesOf(xs)}");
                int rank = xs[0].Shape.Rank;
                if (xs.Any(x => x.Shape.Rank != rank))
                    return BadOperand(e, $"Concat needs tensors of one rank, got {ShapesOf(xs)}");
                int? axis = Axis(args[0].Constant!.Value, rank);
                if (axis is null) return BadOperand(e, $"axis {Text(args[0].Constant!.Value)} is out of range for per-example tensors of rank {rank} (use 0..{rank - 1} or -{rank}..-1)");
                for (int d = 0; d < rank; d++)
                    if (d != axis && xs.Any(x => x.Shape.Dims[d] != xs[0].Shape.Dims[d]))
                        return BadOperand(e, $"Concat along axis {axis} needs the same sizes on every other axis, but axis {d} differs: {ShapesOf(xs)}");
                int[] dims = xs[0].Shape.Dims.ToArray();
                dims[axis.Value] = xs.Sum(x => x.Shape.Dims[axis.Value]);
                Value y = _graph.NewValue(new Shape(true, dims), Temp());
                _graph.Add(NodeKind.Concat, xs, y, e.Text).Axes = new[] { axis.Value };
                return Term.Of(y);
            }
            case "Split":
            {
                if (args.Count != 4 || args[0].Value is not { } x || args.Skip(1).Any(a => a.Constant is null))
                    return BadOperand(e, "Split takes a tensor and three constants: the axis, the number of parts and the index of the part");
                if (!x.Shape.Batched || x.Shape.Rank == 0) return BadOperand(e, $"Split needs a per-example tensor with at least one axis, not {x.Shape}");
                int? axis = Axis(args[1].Constant!.Value, x.Shape.Rank);
                if (axis is null) return BadOperand(e, $"axis {Text(args[1].Constant!.Value)} is out of range for {x.Shape} (use 0..{x.Shape.Rank - 1} or -{x.Shape.Rank}..-1)");
                float parts = args[2].Constant!.Value, index = args[3].Constant!.Value;
                int size = x.Shape.Dims[axis.Value];
                if (parts != System.Math.Floor(parts) || parts < 1 || size % (int)parts != 0)
                    return BadOperand(e, $"Split of axis {axis} of {x.Shape} into {Text(parts)} equal parts: {size} is not divisible by {Text(parts)}");
                if (index != System.Math.Floor(index) || index < 0 || index >= parts)
                    return BadOperand(e, $"the index of the part must be a constant in [0, {Text(parts)}), got {Text(index)}");
                int[] dims = x.Shape.Dims.ToArray();
                dims[axis.Value] = size / (int)parts;
                Value y = _graph.NewValue(new Shape(true, dims), Temp());
                _graph.Add(NodeKind.Split, new[] { x }, y, e.Text).Axes = new[] { axis.Value, (int)parts, (int)index };
                return Term.Of(y);
            }
            default: // PositionalEncoding
            {
                Value? x = OneTensor(args, e);
                if (x is null) return Term.Error;
                if (!x.Shape.Batched || x.Shape.Rank != 2)
                    return BadOperand(e, $"PositionalEncoding adds to per-example sequences [n, d], but its input has shape {x.Shape}");
                Value y = _graph.NewValue(x.Shape, Temp());
                _graph.Add(NodeKind.PositionalEncoding, new[] { x }, y, e.Text).InPlace = true;
                return Term.Of(y);
            }
        }
    }

    /// <summary>Softmax(scores, mask): scores [..., n, m], mask an input of [Forward] of shape [m].</summary>
    private Term LowerMaskedSoftmax(List<Term> args, ExprSpec e)
    {
        if (args[0].Value is not { } x || args[1].Value is not { } mask) return BadOperand(e, "Softmax(scores, mask) takes two tensors");
        if (!x.Shape.Batched || x.Shape.Rank == 0) return BadOperand(e, $"Softmax needs per-example scores with at least one axis, but its input has shape {x.Shape}");
        int m = x.Shape.Dims[x.Shape.Rank - 1];
        if (!mask.Shape.Batched || mask.Shape.Rank != 1 || mask.Shape.Dims[0] != m)
            return BadOperand(e, $"the mask of Softmax over scores {x.Shape} must be one float per column of each example, [B, {m}], but it has shape {mask.Shape}");
        if (mask.Root.Storage != StorageKind.Input)
            return BadOperand(e, $"the mask of Softmax must be an input of [Forward] (it gets no gradient), but '{mask.Name}' is computed");
        Value y = _graph.NewValue(x.Shape, Temp());
        _graph.Add(NodeKind.MaskedSoftmax, new[] { x, mask }, y, e.Text);
        return Term.Of(y);
    }

    private static int? Axis(float value, int rank)
    {
        if (value != System.Math.Floor(value) || value < -rank || value >= rank) return null;
        int axis = (int)value;
        return axis < 0 ? axis + rank : axis;
    }

    private static string Text(float v) => v.ToString(CultureInfo.InvariantCulture);

    private static string ShapesOf(Value[] xs) => string.Join(" and ", xs.Select(x => x.Shape.ToString()));
}
