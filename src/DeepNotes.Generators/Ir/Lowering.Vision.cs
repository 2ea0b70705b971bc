using System.Collections.Generic;
using System.Globalization;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

// Shape rules of the vision ops: Conv2d, pooling, global average pooling, batch norm.
internal sealed partial class Lowering
{
    private Term LowerConv2d(Value x, LayerSpec layer, ExprSpec e)
    {
        Shape s = x.Shape;
        if (!s.Batched || s.Rank != 3 || s.Dims[0] != layer.In)
        {
            Report(DiagnosticDescriptors.LayerInputMismatch, e.Location, e.Text, layer.In.ToString(CultureInfo.InvariantCulture) + " input channels [C, H, W]", s);
            return Term.Error;
        }
        if (!Window(e, "convolution", s, layer.KernelH, layer.KernelW, layer.StrideH, layer.StrideW, layer.PadH, layer.PadW, out int oh, out int ow))
            return Term.Error;
        Value y = _graph.NewValue(new Shape(true, layer.Out, oh, ow), Temp());
        Node node = _graph.Add(NodeKind.Conv2d, new[] { x }, y, e.Text);
        node.Layer = layer;
        SetWindow(node, layer.KernelH, layer.KernelW, layer.StrideH, layer.StrideW, layer.PadH, layer.PadW);
        node.Scratch = ConvScratch.For(_graph, node);
        return Term.Of(y);
    }

    private Term LowerBatchNorm(Value x, LayerSpec layer, ExprSpec e)
    {
        Shape s = x.Shape;
        bool twoD = layer.Kind == LayerKind.BatchNorm2d;
        bool fits = s.Batched && (twoD ? s.Rank == 3 : s.Rank is 1 or 2) && s.Dims[0] == layer.In;
        if (!fits)
        {
            string expected = layer.In.ToString(CultureInfo.InvariantCulture) + (twoD ? " channels [C, H, W]" : " features [C] or [C, L]");
            Report(DiagnosticDescriptors.LayerInputMismatch, e.Location, e.Text, expected, s);
            return Term.Error;
        }
        Value y = _graph.NewValue(s, Temp());
        Node node = _graph.Add(NodeKind.BatchNorm, new[] { x }, y, e.Text);
        node.Layer = layer;
        node.InPlace = true;
        node.Aux = _graph.NewValue(new Shape(false, layer.In), "mean");
        node.Aux2 = _graph.NewValue(new Shape(false, layer.In), "invStd");
        return Term.Of(y);
    }

    private Term LowerPool(List<Term> args, ExprSpec e)
    {
        if (args.Count is < 2 or > 4 || args[0].Value is null || args[1].Constant is not float k
            || (args.Count > 2 && args[2].Constant is not float) || (args.Count > 3 && args[3].Constant is not float))
            return BadOperand(e, $"{e.Name} takes a tensor, then constant kernel, stride and padding");
        int kernel = (int)k, stride = args.Count > 2 ? (int)args[2].Constant!.Value : 0, padding = args.Count > 3 ? (int)args[3].Constant!.Value : 0;
        if (stride == 0) stride = kernel;
        if (kernel <= 0 || stride <= 0 || padding < 0)
            return BadOperand(e, $"kernel and stride must be positive and padding not negative, got {kernel}, {stride}, {padding}");
        if (2 * padding > kernel)
            return BadOperand(e, $"padding {padding} is more than half the kernel {kernel}");
        Value x = args[0].Value!;
        Shape s = x.Shape;
        if (!s.Batched || s.Rank != 3)
            return BadOperand(e, $"{e.Name} needs a per-example [C, H, W] tensor, not {s}");
        if (!Window(e, "pooling", s, kernel, kernel, stride, stride, padding, padding, out int oh, out int ow)) return Term.Error;
        Value y = _graph.NewValue(new Shape(true, s.Dims[0], oh, ow), Temp());
        Node node = _graph.Add(e.Name == "MaxPool2d" ? NodeKind.MaxPool : NodeKind.AvgPool, new[] { x }, y, e.Text);
        SetWindow(node, kernel, kernel, stride, stride, padding, padding);
        return Term.Of(y);
    }

    private Term LowerGlobalAvgPool(List<Term> args, ExprSpec e)
    {
        Value? x = OneTensor(args, e);
        if (x is null) return Term.Error;
        if (!x.Shape.Batched || x.Shape.Rank != 3)
            return BadOperand(e, $"GlobalAvgPool2d needs a per-example [C, H, W] tensor, not {x.Shape}");
        Value y = _graph.NewValue(new Shape(true, x.Shape.Dims[0]), Temp());
        _graph.Add(NodeKind.GlobalAvgPool, new[] { x }, y, e.Text);
        return Term.Of(y);
    }

    /// <summary>Output size of a window sliding over [C, H, W]; DN0107 when it does not fit, DN0108 (info) when it floors.</summary>
    private bool Window(ExprSpec e, string what, Shape s, int kh, int kw, int sh, int sw, int ph, int pw, out int oh, out int ow)
    {
        int h = s.Dims[1], w = s.Dims[2];
        oh = ow = 0;
        if (kh > h + 2 * ph || kw > w + 2 * pw)
        {
            Report(DiagnosticDescriptors.WindowTooLarge, e.Location, e.Text, what, $"{kh}×{kw}", $"{h + 2 * ph}×{w + 2 * pw} (input {s} with padding {ph}×{pw})");
            return false;
        }
        oh = (h + 2 * ph - kh) / sh + 1;
        ow = (w + 2 * pw - kw) / sw + 1;
        int lostH = (h + 2 * ph - kh) % sh, lostW = (w + 2 * pw - kw) % sw;
        if (lostH != 0)
            Report(DiagnosticDescriptors.InexactOutputSize, e.Location, e.Text, h, ph, kh, sh, oh, lostH);
        else if (lostW != 0)
            Report(DiagnosticDescriptors.InexactOutputSize, e.Location, e.Text, w, pw, kw, sw, ow, lostW);
        return true;
    }

    private static void SetWindow(Node node, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        node.KernelH = kh; node.KernelW = kw; node.StrideH = sh; node.StrideW = sw; node.PadH = ph; node.PadW = pw;
    }
}
