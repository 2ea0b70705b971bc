using System.Linq;
using DeepNotes.Generators.Ir;

namespace DeepNotes.Generators.Emit;

// Kernel calls of the vision ops: convolution, pooling, batch norm.
internal sealed partial class CSharpEmitter
{
    private void WriteWindowShapes()
    {
        bool any = false;
        foreach (Node n in _g.Nodes)
        {
            Shape x = n.Inputs.Length > 0 ? n.Inputs[0].Shape : Shape.Scalar;
            if (n.Kind == NodeKind.Conv2d)
            {
                var l = n.Layer!;
                _w.Line($"private static readonly Kernels.Conv2dShape s_conv{I(n.Id)} = new({I(l.In)}, {I(x.Dims[1])}, {I(x.Dims[2])}, {I(l.Out)}, {I(l.KernelH)}, {I(l.KernelW)}, {I(l.StrideH)}, {I(l.StrideW)}, {I(l.PadH)}, {I(l.PadW)}); // {n.Text}");
                any = true;
            }
            else if (n.Kind is NodeKind.MaxPool or NodeKind.AvgPool)
            {
                _w.Line($"private static readonly Kernels.Pool2dShape s_pool{I(n.Id)} = new({I(x.Dims[0])}, {I(x.Dims[1])}, {I(x.Dims[2])}, {I(n.KernelH)}, {I(n.KernelW)}, {I(n.StrideH)}, {I(n.StrideW)}, {I(n.PadH)}, {I(n.PadW)}); // {n.Text}");
                any = true;
            }
        }
        if (any) _w.Line();
    }

    private string ScratchSpan(Node n) => n.Scratch is null ? "default" : Span(n.Scratch);

    private string Weight(LayerParams lp, string span = "p") => $"{span}.{Sl}({I(lp.WeightOffset)}, {I(lp.WeightLength)})";
    private string Bias(LayerParams lp, string span = "p") => lp.BiasLength > 0 ? $"{span}.{Sl}({I(lp.BiasOffset)}, {I(lp.BiasLength)})" : "default";

    /// <summary>[B, C, spatial] view of a batch-norm input: spatial is H·W, or L, or 1.</summary>
    private static int Spatial(Shape s) => s.Size / s.Dims[0];

    private void EmitVisionForward(Node n, bool inference)
    {
        Value y = n.Output!, x = n.Inputs[0];
        Comment(n, y);
        switch (n.Kind)
        {
            case NodeKind.Conv2d:
            {
                LayerParams lp = Params(n);
                _w.Line($"{K("Conv2d.Forward")}{Span(y)}, {Span(x)}, {Weight(lp)}, {Bias(lp)}, batch, s_conv{I(n.Id)}, Kernels.Activation.{n.Act}, {ScratchSpan(n)});");
                break;
            }
            case NodeKind.MaxPool:
                _w.Line($"{K("Pooling.MaxForward")}{Span(y)}, {Span(x)}, batch, s_pool{I(n.Id)});");
                break;
            case NodeKind.AvgPool:
                _w.Line($"{K("Pooling.AvgForward")}{Span(y)}, {Span(x)}, batch, s_pool{I(n.Id)});");
                break;
            case NodeKind.GlobalAvgPool:
                _w.Line($"{K("Pooling.GlobalAvgForward")}{Span(y)}, {Span(x)}, batch, {I(x.Shape.Dims[0])}, {I(x.Shape.Size / x.Shape.Dims[0])});");
                break;
            case NodeKind.BatchNorm:
            {
                LayerParams lp = Params(n);
                int c = lp.Layer.Out;
                string mean = $"state.{Sl}({I(lp.StateOffset)}, {I(c)})", variance = $"state.{Sl}({I(lp.StateOffset + c)}, {I(c)})";
                if (inference)
                    _w.Line($"{K("BatchNorm.InferForward")}{Span(y)}, {Span(x)}, {Weight(lp)}, {Bias(lp)}, {mean}, {variance}, batch, {I(c)}, {I(Spatial(x.Shape))}, {F(lp.Layer.Epsilon)});");
                else
                    _w.Line($"{K("BatchNorm.TrainForward")}{Span(y)}, {Span(x)}, {Weight(lp)}, {Bias(lp)}, {mean}, {variance}, {Span(n.Aux!)}, {Span(n.Aux2!)}, batch, {I(c)}, {I(Spatial(x.Shape))}, {F(lp.Layer.Momentum)}, {F(lp.Layer.Epsilon)}, updateState);");
                break;
            }
        }
    }

    private void EmitVisionBackward(Node n)
    {
        Node f = n.Forward!;
        switch (n.Kind)
        {
            case NodeKind.Conv2dBackwardWeights:
            {
                LayerParams lp = Params(f);
                bool first = _overwrites.Contains(n);
                _w.Line($"// d{lp.Name}.weight, d{lp.Name}.bias {(first ? "=" : "+=")} from {f.Text}");
                _w.Line($"{K("Conv2d.BackwardWeights")}{Weight(lp, "g")}, {Bias(lp, "g")}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, batch, s_conv{I(f.Id)}, {ScratchSpan(n)}{(first ? ", overwrite: true" : "")});");
                break;
            }
            case NodeKind.Conv2dBackwardData:
                BackComment(n);
                _w.Line($"{K("Conv2d.BackwardData")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {Weight(Params(f))}, batch, s_conv{I(f.Id)}, {ScratchSpan(n)});");
                break;
            case NodeKind.MaxPoolBackward:
                BackComment(n);
                _w.Line($"{K("Pooling.MaxBackward")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, batch, s_pool{I(f.Id)});");
                break;
            case NodeKind.AvgPoolBackward:
                BackComment(n);
                _w.Line($"{K("Pooling.AvgBackward")}{Span(n.Output!)}, {Span(n.Inputs[0])}, batch, s_pool{I(f.Id)});");
                break;
            case NodeKind.GlobalAvgPoolBackward:
            {
                Shape x = f.Inputs[0].Shape;
                BackComment(n);
                _w.Line($"{K("Pooling.GlobalAvgBackward")}{Span(n.Output!)}, {Span(n.Inputs[0])}, batch, {I(x.Dims[0])}, {I(x.Size / x.Dims[0])});");
                break;
            }
            case NodeKind.BatchNormBackward:
            {
                LayerParams lp = Params(f);
                Shape x = f.Inputs[0].Shape;
                _w.Line($"// d{lp.Name}.weight, d{lp.Name}.bias += and {n.Output!.Name}: back through {f.Text}");
                _w.Line($"{K("BatchNorm.Backward")}{Span(n.Output!)}, {Weight(lp, "g")}, {Bias(lp, "g")}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, {Weight(lp)}, {Span(n.Inputs[2])}, {Span(n.Inputs[3])}, batch, {I(lp.Layer.Out)}, {I(Spatial(x))});");
                break;
            }
        }
    }
}
