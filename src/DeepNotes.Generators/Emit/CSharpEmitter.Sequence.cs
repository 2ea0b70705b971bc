using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Ir;

namespace DeepNotes.Generators.Emit;

// The sequence ops: per-position labels, Concat and Split (block copies along a per-example axis), the
// sinusoidal positional encoding (a static table per model type) and softmax with a key-padding mask.
internal sealed partial class CSharpEmitter
{
    /// <summary>The rows of CrossEntropy/Nll: one per example, or one per position with per-position labels.</summary>
    private string LabelRows => _g.LabelDims is null ? "batch" : "batch * " + I(_g.LabelsPerExample);

    /// <summary>The labels a batch takes, as the generated length check writes it.</summary>
    private string LabelCount => _g.LabelDims is null ? "batch" : "(long)batch * LabelSize";

    /// <summary>Classes of CrossEntropy/Nll scores: the last axis ([C], or [T, C] with per-position labels).</summary>
    private static int Classes(Shape scores) => scores.Dims[scores.Rank - 1];

    private void WriteLabelSize()
    {
        if (_g.LabelDims is not { } dims) return;
        _w.Line($"/// <summary>Class labels per example in '{_g.TargetName}', [{string.Join(", ", dims.Select(I))}]: one per position.</summary>");
        _w.Line($"public const int LabelSize = {I(_g.LabelsPerExample)};");
    }

    private static string PositionTable(Shape s) => $"s_positions{I(s.Dims[0])}x{I(s.Dims[1])}";

    /// <summary>The GPU plan's device copy of a table: a view of its buffer, uploaded once at Create.</summary>
    private static string DevicePositionTable(Shape s) => $"_positions{I(s.Dims[0])}x{I(s.Dims[1])}";

    /// <summary>The table sizes the model adds, each once, in graph order.</summary>
    private List<Shape> PositionTableShapes()
    {
        var written = new HashSet<string>();
        return _g.Nodes.Where(n => n.Kind == NodeKind.PositionalEncoding).Select(n => n.Inputs[0].Shape).Where(s => written.Add(PositionTable(s))).ToList();
    }

    /// <summary>The positional-encoding tables, one static per size: computed once per model type, never per step.</summary>
    private void WritePositionTables()
    {
        List<Shape> tables = PositionTableShapes();
        foreach (Shape s in tables)
            _w.Line($"private static readonly float[] {PositionTable(s)} = Kernels.PositionalEncoding.Table({I(s.Dims[0])}, {I(s.Dims[1])}); // sinusoidal, [{I(s.Dims[0])}, {I(s.Dims[1])}]");
        if (tables.Count > 0) _w.Line();
    }

    /// <summary>A per-example axis seen as [outer, axis, inner]: the blocks (batch × outer) and the floats after the axis.</summary>
    private static (string Blocks, int Inner) AxisBlocks(Shape s, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= s.Dims[d];
        for (int d = axis + 1; d < s.Rank; d++) inner *= s.Dims[d];
        return (outer == 1 ? "batch" : $"batch * {I(outer)}", inner);
    }

    private void EmitSequenceForward(Node n)
    {
        Value y = n.Output!;
        Comment(n, y);
        switch (n.Kind)
        {
            case NodeKind.Concat:
            {
                int axis = n.Axes[0], at = 0, total = y.Shape.Dims[axis];
                (string blocks, int inner) = AxisBlocks(y.Shape, axis);
                foreach (Value x in n.Inputs)
                {
                    int size = x.Shape.Dims[axis];
                    _w.Line($"{K("Layout.Place")}{Span(y)}, {Span(x)}, {blocks}, {I(total * inner)}, {I(at * inner)}, {I(size * inner)}); // {x.Name}");
                    at += size;
                }
                break;
            }
            case NodeKind.Split:
            {
                Value x = n.Inputs[0];
                int axis = n.Axes[0], index = n.Axes[2], size = y.Shape.Dims[axis];
                (string blocks, int inner) = AxisBlocks(x.Shape, axis);
                _w.Line($"{K("Layout.Slice")}{Span(y)}, {Span(x)}, {blocks}, {I(x.Shape.Dims[axis] * inner)}, {I(index * size * inner)}, {I(size * inner)});");
                break;
            }
            case NodeKind.PositionalEncoding:
                _w.Line($"{K("PositionalEncoding.Add")}{Span(y)}, {Span(n.Inputs[0])}, {(_gpu ? DevicePositionTable(y.Shape) : PositionTable(y.Shape))}, batch);");
                break;
            case NodeKind.MaskedSoftmax:
            {
                Shape s = n.Inputs[0].Shape;
                int cols = s.Dims[s.Rank - 1];
                string scale = n.Scale == 1f ? "" : ", scale: " + F(n.Scale);
                _w.Line($"{K("Softmax.MaskedForward")}{Span(y)}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, batch, {I(s.Size / cols)}, {I(cols)}{scale});");
                break;
            }
        }
    }

    private void EmitSequenceBackward(Node n)
    {
        Node f = n.Forward!;
        BackComment(n);
        switch (n.Kind)
        {
            case NodeKind.ConcatBackward:
            {
                // This input's slice of the gradient.
                int axis = f.Axes[0], total = f.Output!.Shape.Dims[axis];
                int at = f.Inputs.Take(n.Operand).Sum(x => x.Shape.Dims[axis]), size = f.Inputs[n.Operand].Shape.Dims[axis];
                (string blocks, int inner) = AxisBlocks(f.Output.Shape, axis);
                _w.Line($"{K("Layout.Slice")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {blocks}, {I(total * inner)}, {I(at * inner)}, {I(size * inner)});");
                break;
            }
            case NodeKind.SplitBackward:
            {
                // The part's gradient placed where the part was, zeros elsewhere.
                Value x = f.Inputs[0];
                int axis = f.Axes[0], index = f.Axes[2], size = f.Output!.Shape.Dims[axis];
                (string blocks, int inner) = AxisBlocks(x.Shape, axis);
                _w.Line($"{K("Layout.Place")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {blocks}, {I(x.Shape.Dims[axis] * inner)}, {I(index * size * inner)}, {I(size * inner)}, clearRest: true);");
                break;
            }
        }
    }
}
