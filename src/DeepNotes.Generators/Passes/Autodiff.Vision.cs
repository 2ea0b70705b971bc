using System.Collections.Generic;
using DeepNotes.Generators.Ir;

namespace DeepNotes.Generators.Passes;

// Backward rules of the vision ops.
internal static partial class Autodiff
{
    private static void DifferentiateVision(Graph g, Dictionary<Value, Value> grads, Node n, Value dy)
    {
        Value x = n.Inputs[0];
        switch (n.Kind)
        {
            case NodeKind.Conv2d:
            {
                Value dz = ThroughEpilogue(g, n, dy);
                Node weights = g.Add(NodeKind.Conv2dBackwardWeights, new[] { dz, x }, null, n.Text);
                weights.Forward = n;
                weights.Scratch = ConvScratch.For(g, n);
                if (Contribute(g, grads, x, n, NodeKind.Conv2dBackwardData, new[] { dz }) is { } data) data.Scratch = ConvScratch.For(g, n);
                break;
            }
            case NodeKind.MaxPool:
                // The arg-max is recomputed from x: x is kept instead of an index tensor.
                Contribute(g, grads, x, n, NodeKind.MaxPoolBackward, new[] { dy, x });
                break;
            case NodeKind.AvgPool:
                Contribute(g, grads, x, n, NodeKind.AvgPoolBackward, new[] { dy });
                break;
            case NodeKind.GlobalAvgPool:
                Contribute(g, grads, x, n, NodeKind.GlobalAvgPoolBackward, new[] { dy });
                break;
            case NodeKind.BatchNorm:
            {
                // Always runs: it also accumulates dγ and dβ. Needs x and the saved statistics, not y.
                Value dx = Grad(g, x);
                Node bn = g.Add(NodeKind.BatchNormBackward, new[] { dy, x, n.Aux!, n.Aux2! }, dx, n.Text);
                bn.Forward = n;
                if (x.RequiresGrad) AddGrad(g, grads, x, dx, n);
                break;
            }
        }
    }
}
