using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Ir;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Passes;

/// <summary>
/// Reverse-mode differentiation on the IR. The backward pass is appended to the same graph as
/// ordinary nodes, so the memory planner sees which forward values backward reads (and keeps only
/// those alive). A value used twice gets its gradient contributions summed.
/// </summary>
internal static partial class Autodiff
{
    public static void Run(Graph g)
    {
        foreach (Node node in g.Nodes)
        {
            if (node.Output is null) continue;
            node.Output.RequiresGrad = node.Layer is { Kind: not LayerKind.Dropout } || node.Inputs.Any(v => v.RequiresGrad);
        }
        if (g.Loss is null) return;

        g.Phase = Phase.Backward;
        var grads = new Dictionary<Value, Value>();
        var forward = g.Nodes.ToList();

        Value seed = Grad(g, g.Loss);
        g.Add(NodeKind.SeedOne, new Value[0], seed, "∂loss/∂loss = 1");
        grads[g.Loss] = seed;

        for (int i = forward.Count - 1; i >= 0; i--)
        {
            Node n = forward[i];
            if (n.Output is null || !grads.TryGetValue(n.Output, out Value? dy)) continue;
            Value[] x = n.Inputs;
            switch (n.Kind)
            {
                case NodeKind.Dense:
                {
                    Value dz = ThroughEpilogue(g, n, dy);
                    g.Add(NodeKind.DenseBackwardWeights, new[] { dz, x[0] }, null, n.Text).Forward = n;
                    Contribute(g, grads, x[0], n, NodeKind.DenseBackwardData, new[] { dz });
                    break;
                }
                case NodeKind.Chain:
                    Contribute(g, grads, x[0], n, NodeKind.ChainBackward, new[] { dy, x[0] }, inPlace: true);
                    break;
                case NodeKind.Binary:
                {
                    Value a = x[0], b = x[1];
                    var needA = n.Op switch { BinOp.Multiply or BinOp.Divide => new[] { dy, b }, _ => new[] { dy } };
                    Contribute(g, grads, a, n, NodeKind.BinaryBackward, needA, operand: 0);
                    var needB = n.Op switch { BinOp.Multiply => new[] { dy, a }, BinOp.Divide => new[] { dy, a, b }, _ => new[] { dy } };
                    Contribute(g, grads, b, n, NodeKind.BinaryBackward, needB, operand: 1);
                    break;
                }
                case NodeKind.Softmax:
                    Contribute(g, grads, x[0], n, NodeKind.SoftmaxBackward, new[] { dy, n.Output });
                    break;
                case NodeKind.LogSoftmax:
                    Contribute(g, grads, x[0], n, NodeKind.LogSoftmaxBackward, new[] { dy, n.Output });
                    break;
                case NodeKind.MatMul:
                    Contribute(g, grads, x[0], n, NodeKind.MatMulBackwardA, new[] { dy, x[1] });
                    Contribute(g, grads, x[1], n, NodeKind.MatMulBackwardB, new[] { dy, x[0] });
                    break;
                case NodeKind.LayerNorm:
                {
                    // Always runs: it also accumulates dweight and dbias. Needs x and the saved row statistics, not y.
                    Value dx = Grad(g, x[0]);
                    g.Add(NodeKind.LayerNormBackward, new[] { dy, x[0], n.Aux!, n.Aux2! }, dx, n.Text).Forward = n;
                    if (x[0].RequiresGrad) AddGrad(g, grads, x[0], dx, n);
                    break;
                }
                case NodeKind.Permute:
                    Contribute(g, grads, x[0], n, NodeKind.PermuteBackward, new[] { dy });
                    break;
                case NodeKind.Transpose:
                    Contribute(g, grads, x[0], n, NodeKind.TransposeBackward, new[] { dy });
                    break;
                case NodeKind.Flatten:
                    if (x[0].RequiresGrad)
                    {
                        Value view = g.NewValue(x[0].Shape, "d" + x[0].Name);
                        view.IsGradient = true;
                        view.AliasOf = dy;
                        AddGrad(g, grads, x[0], view, n);
                    }
                    break;
                case NodeKind.Sum:
                case NodeKind.Mean:
                    Contribute(g, grads, x[0], n, NodeKind.ReduceBackward, new[] { dy });
                    break;
                case NodeKind.Dropout:
                    Contribute(g, grads, x[0], n, NodeKind.DropoutBackward, new[] { dy }, inPlace: true);
                    break;
                case NodeKind.CrossEntropy:
                    Contribute(g, grads, x[0], n, NodeKind.CrossEntropyBackward, new[] { n.Aux!, dy });
                    break;
                case NodeKind.Nll:
                    Contribute(g, grads, x[0], n, NodeKind.NllBackward, new[] { dy });
                    break;
                case NodeKind.Mse:
                    Contribute(g, grads, x[0], n, NodeKind.MseBackward, new[] { x[0], x[1], dy });
                    break;
                case NodeKind.BinaryCrossEntropy:
                    Contribute(g, grads, x[0], n, NodeKind.BinaryCrossEntropyBackward, new[] { x[0], x[1], dy });
                    break;
                case NodeKind.Embedding:
                    // Scatter-adds dy into the rows its token ids name; token ids themselves have no gradient.
                    g.Add(NodeKind.EmbeddingBackward, new[] { dy, x[0] }, null, n.Text).Forward = n;
                    break;
                case NodeKind.MaskedMean:
                    // dx = mask·dy / Σmask; dmask = dy·(x − y) / Σmask (only when the mask depends on parameters).
                    Contribute(g, grads, x[0], n, NodeKind.MaskedMeanBackward, new[] { dy, x[1] });
                    Contribute(g, grads, x[1], n, NodeKind.MaskedMeanBackward, new[] { dy, x[0], n.Output, x[1] }, operand: 1);
                    break;
                case NodeKind.EmbeddingBag:
                    // The fused MaskedMean(Embedding(ids), mask): scatter-adds mask·dy / Σmask into the rows named.
                    g.Add(NodeKind.EmbeddingBagBackward, new[] { dy, x[0], x[1] }, null, n.Text).Forward = n;
                    break;
                case NodeKind.Concat:
                case NodeKind.Split:
                case NodeKind.PositionalEncoding:
                case NodeKind.MaskedSoftmax:
                    DifferentiateSequence(g, grads, n, dy);
                    break;
                default:
                    DifferentiateVision(g, grads, n, dy);
                    break;
            }
        }
    }

    /// <summary>
    /// The gradient before a layer's fused activation: dy itself without one, else an
    /// ActivationBackward node (through the layer's output, in place on dy).
    /// </summary>
    internal static Value ThroughEpilogue(Graph g, Node layer, Value dy)
    {
        if (layer.Act == Act.None) return dy;
        Value dz = g.NewValue(dy.Shape, "d" + layer.Output!.Name + "_pre");
        dz.IsGradient = true;
        Node act = g.Add(NodeKind.ActivationBackward, new[] { dy, layer.Output }, dz, layer.Text);
        act.Forward = layer;
        act.InPlace = true;
        return dz;
    }

    internal static Value Grad(Graph g, Value of)
    {
        Value v = g.NewValue(of.Shape, "d" + of.Name);
        v.IsGradient = true;
        return v;
    }

    internal static Node? Contribute(Graph g, Dictionary<Value, Value> grads, Value target, Node forward, NodeKind kind, Value[] inputs,
                                     int operand = 0, bool inPlace = false)
    {
        if (!target.RequiresGrad) return null;
        Value gv = Grad(g, target);
        Node node = g.Add(kind, inputs, gv, forward.Text);
        node.Forward = forward;
        node.Operand = operand;
        node.InPlace = inPlace;
        AddGrad(g, grads, target, gv, forward);
        return node;
    }

    internal static void AddGrad(Graph g, Dictionary<Value, Value> grads, Value target, Value contribution, Node forward)
    {
        if (grads.TryGetValue(target, out Value? existing))
            g.Add(NodeKind.Accumulate, new[] { existing, contribution }, null, "d" + target.Name + " += " + contribution.Name).Forward = forward;
        else
            grads[target] = contribution;
    }
}
