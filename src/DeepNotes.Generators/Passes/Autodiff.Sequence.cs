using System.Collections.Generic;
using DeepNotes.Generators.Ir;

namespace DeepNotes.Generators.Passes;

// Backward rules of the sequence ops.
internal static partial class Autodiff
{
    private static void DifferentiateSequence(Graph g, Dictionary<Value, Value> grads, Node n, Value dy)
    {
        switch (n.Kind)
        {
            case NodeKind.Concat:
                // Each input's gradient is its slice of dy (an input named twice gets both slices, added).
                for (int i = 0; i < n.Inputs.Length; i++)
                    Contribute(g, grads, n.Inputs[i], n, NodeKind.ConcatBackward, new[] { dy }, operand: i);
                break;
            case NodeKind.Split:
                // dy placed at the part's position, zeros elsewhere; the parts of one tensor add up.
                Contribute(g, grads, n.Inputs[0], n, NodeKind.SplitBackward, new[] { dy });
                break;
            case NodeKind.PositionalEncoding:
                // y = x + P: dx = dy, a view of it.
                if (n.Inputs[0].RequiresGrad)
                {
                    Value view = g.NewValue(n.Inputs[0].Shape, "d" + n.Inputs[0].Name);
                    view.IsGradient = true;
                    view.AliasOf = dy;
                    AddGrad(g, grads, n.Inputs[0], view, n);
                }
                break;
            case NodeKind.MaskedSoftmax:
                // Masked entries of y are exactly 0, so the softmax backward gives them (and fully masked rows) dx = 0.
                // The mask is an input: no gradient.
                Contribute(g, grads, n.Inputs[0], n, NodeKind.SoftmaxBackward, new[] { dy, n.Output! });
                break;
        }
    }
}
