using System.Linq;
using DeepNotes.Generators.Ir;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Passes;

/// <summary>
/// Fuses the forward graph before it is differentiated, so each fused node carries its own
/// backward rule and keeps less for it:
/// <list type="bullet">
/// <item>chains of element-wise ops become one loop (backward recomputes the chain from its input,
/// so the intermediates of the chain are never stored);</item>
/// <item>an activation right after a Linear layer moves into the GEMM epilogue (its backward needs
/// only the activation's output, so the pre-activation is never stored);</item>
/// <item>Nll(LogSoftmax(z)) becomes the fused softmax cross-entropy;</item>
/// <item>Softmax(a·x + b) becomes one softmax of scale a (the b cancels): attention's Softmax(Q·Kᵀ·c)
/// neither stores nor revisits the scaled scores;</item>
/// <item>MaskedMean(Embedding(ids), mask) becomes one bag of embeddings (CBOW's context average).</item>
/// </list>
/// </summary>
internal static class Fusion
{
    public static void Run(Graph graph)
    {
        MergeChains(graph);
        FoldActivations(graph);
        FuseLogSoftmaxNll(graph);
        FoldSoftmaxScale(graph);
        FuseEmbeddingBags(graph);
        graph.Compact();
        ResolveInitializers(graph);
    }

    private static bool IsPinned(Graph g, Value v) => v == g.Output || v == g.Loss || g.Nodes.Any(n => !n.Dead && n.Output?.AliasOf == v);

    private static void MergeChains(Graph g)
    {
        foreach (Node node in g.Nodes.ToList())
        {
            if (node.Dead || node.Kind != NodeKind.Chain) continue;
            Node? producer = node.Inputs[0].Producer;
            if (producer is null || producer.Dead || producer.Kind != NodeKind.Chain) continue;
            Value middle = producer.Output!;
            if (middle.Users.Count != 1 || IsPinned(g, middle)) continue;
            node.Steps.InsertRange(0, producer.Steps);
            g.SetInputs(node, producer.Inputs);
            g.Remove(producer);
        }
    }

    private static void FoldActivations(Graph g)
    {
        foreach (Node dense in g.Nodes.ToList())
        {
            if (dense.Dead || dense.Kind is not (NodeKind.Dense or NodeKind.Conv2d) || dense.Act != Act.None) continue;
            Value z = dense.Output!;
            if (z.Users.Count != 1 || IsPinned(g, z)) continue;
            Node user = z.Users[0];
            if (user.Kind != NodeKind.Chain) continue;
            Act act = user.Steps[0].Kind switch
            {
                StepKind.Relu => Act.Relu,
                StepKind.Sigmoid => Act.Sigmoid,
                StepKind.Tanh => Act.Tanh,
                _ => Act.None,
            };
            if (act == Act.None) continue;
            dense.Act = act;
            dense.Text = act + "(" + dense.Text + ")";
            user.Steps.RemoveAt(0);
            if (user.Steps.Count == 0)
            {
                Value y = user.Output!;
                g.Remove(user);
                z.Name = y.Name;
                ReplaceAllUses(g, y, z);
            }
        }
    }

    private static void FoldSoftmaxScale(Graph g)
    {
        foreach (Node softmax in g.Nodes.ToList())
        {
            if (softmax.Dead || softmax.Kind is not (NodeKind.Softmax or NodeKind.MaskedSoftmax)) continue;
            Value scaled = softmax.Inputs[0];
            Node? chain = scaled.Producer;
            if (chain is null || chain.Dead || chain.Kind != NodeKind.Chain || chain.Steps.Count != 1 || chain.Steps[0].Kind != StepKind.Affine
                || scaled.Users.Count != 1 || IsPinned(g, scaled)) continue;
            // softmax(a·x + b) = softmax(a·x): a constant added to a whole row cancels.
            softmax.Scale *= chain.Steps[0].A;
            softmax.Text = softmax.Text + " with " + scaled.Name + " = " + chain.Text + " folded in";
            g.SetInputs(softmax, chain.Inputs.Concat(softmax.Inputs.Skip(1)).ToArray()); // a mask stays
            g.Remove(chain);
        }
    }

    private static void FuseLogSoftmaxNll(Graph g)
    {
        foreach (Node nll in g.Nodes.ToList())
        {
            if (nll.Dead || nll.Kind != NodeKind.Nll) continue;
            Node? logSoftmax = nll.Inputs[0].Producer;
            if (logSoftmax is null || logSoftmax.Kind != NodeKind.LogSoftmax || nll.Inputs[0].Users.Count != 1 || IsPinned(g, nll.Inputs[0])) continue;
            nll.Kind = NodeKind.CrossEntropy;
            nll.Aux = g.NewValue(logSoftmax.Inputs[0].Shape, "probabilities");
            g.SetInputs(nll, logSoftmax.Inputs);
            g.Remove(logSoftmax);
        }
    }

    /// <summary>
    /// MaskedMean(Embedding(ids), mask) with a mask that is an input of [Forward] (so it has no gradient)
    /// becomes one bag-of-embeddings node: it reads only the rows whose weight is not 0 and never stores
    /// the [n, dim] gathered rows; its backward writes only those rows' gradients.
    /// </summary>
    private static void FuseEmbeddingBags(Graph g)
    {
        foreach (Node mean in g.Nodes.ToList())
        {
            if (mean.Dead || mean.Kind != NodeKind.MaskedMean || mean.Inputs[1].Storage != StorageKind.Input) continue;
            Value rows = mean.Inputs[0];
            Node? lookup = rows.Producer;
            if (lookup is null || lookup.Dead || lookup.Kind != NodeKind.Embedding || lookup.Inputs[0].Shape.Rank != 1
                || rows.Users.Count != 1 || IsPinned(g, rows)) continue;
            mean.Kind = NodeKind.EmbeddingBag;
            mean.Layer = lookup.Layer;
            mean.Params = lookup.Params;
            g.SetInputs(mean, new[] { lookup.Inputs[0], mean.Inputs[1] });
            g.Remove(lookup);
        }
    }

    private static void ReplaceAllUses(Graph g, Value old, Value replacement)
    {
        foreach (Node user in old.Users.ToList())
            g.SetInputs(user, user.Inputs.Select(v => v == old ? replacement : v).ToArray());
        foreach (Node n in g.Nodes)
            if (n.Output is { } o && o.AliasOf == old) o.AliasOf = replacement;
        if (g.Output == old) g.Output = replacement;
        if (g.Loss == old) g.Loss = replacement;
    }

    /// <summary>Init.Auto: He when the layer feeds a ReLU (it halves the variance), Xavier otherwise; word2vec's U(±0.5/dim) for an embedding.</summary>
    private static void ResolveInitializers(Graph g)
    {
        foreach (LayerParams p in g.Parameters)
        {
            if (p.Layer.Init != InitKind.Auto) { p.Init = p.Layer.Init; continue; }
            if (p.IsEmbedding) { p.Init = InitKind.Word2Vec; continue; }
            bool relu = g.Nodes.Any(n => n.Kind is NodeKind.Dense or NodeKind.Conv2d && n.Params == p && n.Act == Act.Relu);
            p.Init = relu ? InitKind.HeUniform : InitKind.XavierUniform;
        }
    }
}
