using System.Globalization;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

// The layers of attention models: LayerNorm over the last axis.
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
}
