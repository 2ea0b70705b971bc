using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Ir;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Emit;

// Models with token inputs or several inputs: their methods (one typed span per input), the token ops,
// and the sparse bookkeeping of the embedding tables.
internal sealed partial class CSharpEmitter
{
    private readonly List<TouchedTable> _tables;

    /// <summary>One float input: the IModel shape, Predict(input, output, batch). Everything else takes one span per input.</summary>
    private bool IsClassic => _g.Input is not null;

    /// <summary>The span of an input inside the generated methods: "input" for the one float input, else "in" + its name.</summary>
    private string InputSpan(Value input) => IsClassic ? "input" : "in" + Lowering.Pascal(input.Name);

    private static string SizeConstant(Value input) => Lowering.Pascal(input.Name) + "Size";

    private static string SpanType(Value input) => input.IsTokens ? "ReadOnlySpan<int>" : "ReadOnlySpan<float>";

    private string PublicInputs() => string.Join(", ", _g.Inputs.Select(v => $"{SpanType(v)} {Identifier(v.Name)}"));
    private string PrivateInputs() => string.Join(", ", _g.Inputs.Select(v => $"{SpanType(v)} {InputSpan(v)}"));
    private string PublicArguments() => string.Join(", ", _g.Inputs.Select(v => Identifier(v.Name)));
    private string PrivateArguments() => string.Join(", ", _g.Inputs.Select(InputSpan));

    /// <summary>n, k, m of a per-example product; a vector operand is a one-row or one-column matrix.</summary>
    private static string MatMulSizes(Node matMul)
    {
        Shape a = matMul.Inputs[0].Shape, b = matMul.Inputs[1].Shape;
        int n = a.Rank >= 2 ? a.Dims[a.Rank - 2] : 1, k = a.Dims[a.Rank - 1];
        int m = matMul.TransposeB ? b.Dims[b.Rank - 2] : b.Rank >= 2 ? b.Dims[b.Rank - 1] : 1;
        // Leading axes ([h, n, k] x [h, k, m]) multiply the batch: one product per example and leading index.
        int lead = System.Math.Max(a.Rank, b.Rank) - 2, count = 1;
        for (int i = 0; i < lead; i++) count *= a.Dims[i];
        string batch = count == 1 ? "batch" : $"batch * {I(count)}";
        return $"{batch}, {I(n)}, {I(k)}, {I(m)}" + (matMul.TransposeB ? ", transposeB: true" : "");
    }

    /// <summary>Layout.Permute's arguments: the input's dims padded in front to four, and the axes of those four.</summary>
    private static string PermuteArguments(Shape input, int[] axes)
    {
        int pad = 4 - input.Rank;
        var dims = Enumerable.Repeat(1, pad).Concat(input.Dims);
        var all = Enumerable.Range(0, pad).Concat(axes.Select(a => a + pad));
        return string.Join(", ", dims.Concat(all).Select(I));
    }

    private void WriteInputSizes()
    {
        foreach (Value input in _g.Inputs)
        {
            string what = input.IsTokens ? "Token ids" : "Floats";
            string shape = input.Shape.Rank == 0 ? "[] (one token)" : "[" + string.Join(", ", input.Shape.Dims.Select(I)) + "]";
            _w.Line($"/// <summary>{what} per example in '{input.Name}', {shape}.</summary>");
            _w.Line($"public const int {SizeConstant(input)} = {I(input.Shape.Size)};");
        }
        WriteLabelSize();
    }

    // ---- sparse bookkeeping of the embedding tables -------------------------------------------

    private void WriteTouchedRowsSizes()
    {
        if (_tables.Count == 0) return;
        _w.Line("// Sparse updates of the embedding tables, in ints: the rows a backward touched (per batch row) and one mark per table row.");
        _w.Line($"public const int TouchedRowsPerRow = {I(_tables.Sum(t => t.PerRow))}, TouchedRowsFixed = {I(TouchedFixed)};");
    }

    private int TouchedFixed => _tables.Sum(t => t.Params.Layer.In);

    private void WriteTouchedFields()
    {
        if (_tables.Count == 0) return;
        string fields = string.Join(", ", _tables.Select(t => "_touched" + I(t.Index)));
        string names = string.Join(", ", _tables.Select(t => t.Params.Name + ".weight"));
        _w.Line($"private int {fields}; // rows of {names} the last backward touched");
    }

    /// <summary>The tensors the optimizer updates densely: every one but the embedding tables.</summary>
    private void WriteDenseTensors()
    {
        if (_tables.Count == 0) return;
        var dense = new List<string>();
        int index = 0;
        foreach (LayerParams p in _g.Parameters)
        {
            if (!p.IsEmbedding) dense.Add($"s_tensors[{I(index)}]");
            index++;
            if (p.BiasLength > 0) { dense.Add($"s_tensors[{I(index)}]"); index++; }
        }
        foreach (LayerParams p in _g.Parameters.Where(p => p.IsBatchNorm))
        {
            dense.Add($"s_tensors[{I(index++)}]");
            dense.Add($"s_tensors[{I(index++)}]");
        }
        _w.Line("// The optimizer sweeps these; the embedding tables get sparse updates of their touched rows.");
        _w.Line($"private static readonly global::DeepNotes.TensorInfo[] s_denseTensors = [{string.Join(", ", dense)}];");
        _w.Line();
    }

    /// <summary>Index of a layer's weight in s_tensors (the order of WriteTensors).</summary>
    private int TensorIndex(LayerParams table)
    {
        int index = 0;
        foreach (LayerParams p in _g.Parameters)
        {
            if (p == table) return index;
            index += p.BiasLength > 0 ? 2 : 1;
        }
        return -1;
    }

    private void WriteTouchedReset()
    {
        if (_tables.Count == 0) return;
        _w.Line("Touched.Clear();");
        foreach (TouchedTable t in _tables) _w.Line($"_touched{I(t.Index)} = 0;");
    }

    private string Marks(TouchedTable t) => $"touched.Slice({I(t.MarkOffset)}, {I(t.Params.Layer.In)})";

    private string Rows(TouchedTable t, string count) => $"touched.Slice({I(TouchedFixed)} + {I(t.RowOffset)} * _maxBatch, {count})";

    /// <summary>
    /// Clears the gradients before backward. Without embedding tables: all of them. With: every other
    /// tensor's, and of each table only the rows the last backward touched; then this backward's rows are listed.
    /// </summary>
    /// <summary>
    /// Zeroes the gradient ranges that no kernel overwrites (parameters that accumulate or get no gradient);
    /// embedding tables are sparse: only the rows the last backward touched are zeroed, then this step's are listed.
    /// </summary>
    private void WriteGradientClear()
    {
        int total = _g.Parameters.Sum(p => p.WeightLength + p.BiasLength + p.StateLength);
        var skipped = new List<(int Start, int Length)>();
        foreach (Node n in _overwrites)
        {
            LayerParams lp = Params(n.Forward!);
            skipped.Add((lp.WeightOffset, lp.WeightLength));
            if (lp.BiasLength > 0) skipped.Add((lp.BiasOffset, lp.BiasLength));
        }
        // The CPU clears embedding gradients sparsely (below); the GPU plan clears them densely with the rest.
        if (!_gpu) foreach (LayerParams table in _g.Parameters.Where(p => p.IsEmbedding)) skipped.Add((table.WeightOffset, table.WeightLength));
        int start = 0;
        foreach ((int offset, int length) in skipped.OrderBy(r => r.Start))
        {
            if (offset > start) WriteClear(start, offset - start);
            start = System.Math.Max(start, offset + length);
        }
        if (total > start) WriteClear(start, total - start);
        if (_tables.Count == 0) return;
        _w.Line("// Embedding gradients are sparse: zero the rows the last backward touched, then list this one's (each row once)");
        _w.Line("Span<int> touched = Touched;");
        foreach (TouchedTable t in _tables)
        {
            LayerParams lp = t.Params;
            string k = I(t.Index);
            _w.Line($"Kernels.SparseRows.Release({Weight(lp, "g")}, {Marks(t)}, {Rows(t, "_touched" + k)}, {I(lp.Layer.Out)}); // {lp.Name}.weight");
            for (int i = 0; i < t.Inputs.Count; i++)
            {
                (Value tokens, Value? mask) = t.Inputs[i];
                string weights = mask is null ? "" : $", {InputSpan(mask)}.Slice(0, {Count(mask.Shape)})";
                _w.Line($"_touched{k} = Kernels.SparseRows.Collect({Rows(t, I(t.PerRow) + " * _maxBatch")}, {Marks(t)}, {(i == 0 ? "0" : "_touched" + k)}, {InputSpan(tokens)}.Slice(0, {Count(tokens.Shape)}){weights});");
            }
        }
    }

    // ---- methods with one span per input ------------------------------------------------------

    private void WriteInputChecks(bool output)
    {
        _w.Line("global::DeepNotes.ModelChecks.Batch(batch, _maxBatch);");
        foreach (Value input in _g.Inputs)
            _w.Line($"global::DeepNotes.ModelChecks.Length({InputSpan(input)}.Length, (long)batch * {SizeConstant(input)}, \"{input.Name}\");");
        if (output) _w.Line("global::DeepNotes.ModelChecks.Length(output.Length, (long)batch * OutputSize, nameof(output));");
        else if (_g.TargetsAreLabels) _w.Line($"global::DeepNotes.ModelChecks.Length(labels.Length, {LabelCount}, \"{_g.TargetName}\");");
        else _w.Line($"global::DeepNotes.ModelChecks.Length(targets.Length, (long)batch * TargetSize, \"{_g.TargetName}\");");
        // Token ids are checked before anything is written: an id outside the vocabulary would read or write another row.
        foreach (Value input in _g.Inputs.Where(v => v.IsTokens))
        {
            int limit = Lowering.TokenLimit(input);
            string bound = limit == int.MaxValue ? "int.MaxValue" : I(limit);
            _w.Line($"global::DeepNotes.ModelChecks.Tokens({InputSpan(input)}, batch * {SizeConstant(input)}, {SizeConstant(input)}, {bound}, \"{input.Name}\");");
        }
    }

    private void WriteGeneralPredict()
    {
        _w.Line("/// <summary>Inference: the forward pass with dropout off, into <paramref name=\"output\"/> ([batch, OutputSize]). Allocates nothing.</summary>");
        _w.Line($"public void Predict({PublicInputs()}, Span<float> output, int batch) => Infer({PublicArguments()}, output, batch);");
        _w.Line();
        _w.Open($"private void Infer({PrivateInputs()}, Span<float> output, int batch)");
        WriteInputChecks(output: true);
        WritePrologue("InferenceArenaPerRow", _infer);
        foreach (Node n in _g.Nodes.Take(_g.LossStart)) EmitForward(n, inference: true);
        if (_infer.OutputNeedsCopy) _w.Line($"{Span(_infer.Root(_g.Output!))}.Slice(0, batch * OutputSize).CopyTo(output); // the output is a view of an input");
        _w.Close();
        _w.Line();
    }

    private void WriteGeneralTraining()
    {
        // Public methods name every span after the model's own names; the private ones use fixed names the kernels' calls refer to.
        string targetType = _g.TargetsAreLabels ? "ReadOnlySpan<int>" : "ReadOnlySpan<float>";
        string targetParam = _g.TargetsAreLabels ? "ReadOnlySpan<int> labels" : "ReadOnlySpan<float> targets";
        string publicTarget = Identifier(_g.TargetName);
        string inputs = $"{PublicInputs()}, {targetType} {publicTarget}", arguments = $"{PublicArguments()}, {publicTarget}";
        _w.Line("/// <summary>One step of training: forward, loss, backward and the optimizer's update. Returns the batch's loss. Allocates nothing.</summary>");
        _w.Line($"public float TrainStep({inputs}, int batch, ref global::DeepNotes.Sgd optimizer) => Train({arguments}, batch, ref optimizer);");
        _w.Line();
        _w.Line("/// <summary>Forward, loss and backward without an update: fills <see cref=\"Gradients\"/> and returns the loss (training mode: dropout on, masks of the current Step).</summary>");
        _w.Line($"public float ComputeGradients({inputs}, int batch) => Run({arguments}, batch, backward: true, updateState: false);");
        _w.Line();
        _w.Line("/// <summary>The training loss of a batch without backward (training mode: dropout on, masks of the current Step).</summary>");
        _w.Line($"public float ComputeLoss({inputs}, int batch) => Run({arguments}, batch, backward: false, updateState: false);");
        _w.Line();
        _w.Open($"private float Train({PrivateInputs()}, {targetParam}, int batch, ref global::DeepNotes.Sgd optimizer)");
        _w.Line($"float loss = Run({PrivateArguments()}, {(_g.TargetsAreLabels ? "labels" : "targets")}, batch, backward: true, updateState: true);");
        if (_tables.Count == 0)
        {
            _w.Line("optimizer.Update(Parameters, Gradients, OptimizerState, s_tensors);");
        }
        else
        {
            _w.Line("optimizer.Update(Parameters, Gradients, OptimizerState, s_denseTensors);");
            _w.Line("// The embedding tables: only the rows this step touched (momentum and weight decay are lazy: docs/ops.md)");
            _w.Line("Span<int> touched = Touched;");
            foreach (TouchedTable t in _tables)
                _w.Line($"optimizer.UpdateRows(Parameters, Gradients, OptimizerState, s_tensors[{I(TensorIndex(t.Params))}], {Rows(t, "_touched" + I(t.Index))}); // {t.Params.Name}.weight");
        }
        _w.Line("Step++;");
        _w.Line("return loss;");
        _w.Close();
        _w.Line();
        _w.Open($"private float Run({PrivateInputs()}, {targetParam}, int batch, bool backward, bool updateState)");
        WriteInputChecks(output: false);
        WriteRunBody();
    }

    // ---- kernel calls of the token ops --------------------------------------------------------

    private void EmitTokenForward(Node n)
    {
        Value y = n.Output!;
        Comment(n, y);
        switch (n.Kind)
        {
            case NodeKind.Embedding:
            {
                Value tokens = n.Inputs[0];
                LayerParams lp = Params(n);
                _w.Line($"{K("Embedding.Forward")}{Span(y)}, {Span(tokens)}, {Weight(lp)}, {Count(tokens.Shape)}, {I(lp.Layer.Out)});");
                break;
            }
            case NodeKind.OneHot:
            {
                Value tokens = n.Inputs[0];
                _w.Line($"{K("Embedding.OneHot")}{Span(y)}, {Span(tokens)}, {Count(tokens.Shape)}, {I(y.Shape.Dims[y.Shape.Rank - 1])});");
                break;
            }
            case NodeKind.MaskedMean:
            {
                Value x = n.Inputs[0];
                _w.Line($"{K("Embedding.MaskedMeanForward")}{Span(y)}, {Span(x)}, {Span(n.Inputs[1])}, batch, {I(x.Shape.Dims[0])}, {I(y.Shape.Size)});");
                break;
            }
            case NodeKind.EmbeddingBag:
            {
                Value tokens = n.Inputs[0];
                LayerParams lp = Params(n);
                _w.Line($"{K("Embedding.BagForward")}{Span(y)}, {Span(tokens)}, {Span(n.Inputs[1])}, {Weight(lp)}, batch, {I(tokens.Shape.Size)}, {I(lp.Layer.Out)});");
                break;
            }
        }
    }

    private void EmitTokenBackward(Node n)
    {
        Node f = n.Forward!;
        switch (n.Kind)
        {
            case NodeKind.EmbeddingBackward:
            {
                LayerParams lp = Params(f);
                Value tokens = n.Inputs[1];
                _w.Line($"// d{lp.Name}.weight += into the rows {tokens.Name} names, from {f.Text}");
                _w.Line($"{K("Embedding.Backward")}{Weight(lp, "g")}, {Span(n.Inputs[0])}, {Span(tokens)}, {Count(tokens.Shape)}, {I(lp.Layer.Out)});");
                break;
            }
            case NodeKind.MaskedMeanBackward:
            {
                Value x = f.Inputs[0];
                BackComment(n);
                string sizes = $"batch, {I(x.Shape.Dims[0])}, {I(f.Output!.Shape.Size)}";
                if (n.Operand == 0)
                    _w.Line($"{K("Embedding.MaskedMeanBackward")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, {sizes});");
                else
                    _w.Line($"{K("Embedding.MaskedMeanBackwardMask")}{Span(n.Output!)}, {Span(n.Inputs[0])}, {Span(n.Inputs[1])}, {Span(n.Inputs[2])}, {Span(n.Inputs[3])}, {sizes});");
                break;
            }
            case NodeKind.EmbeddingBagBackward:
            {
                LayerParams lp = Params(f);
                Value tokens = n.Inputs[1];
                _w.Line($"// d{lp.Name}.weight += into the rows {tokens.Name} names where {n.Inputs[2].Name} is not 0, from {f.Text}");
                _w.Line($"{K("Embedding.BagBackward")}{Weight(lp, "g")}, {Span(n.Inputs[0])}, {Span(tokens)}, {Span(n.Inputs[2])}, batch, {I(tokens.Shape.Size)}, {I(lp.Layer.Out)});");
                break;
            }
        }
    }

    /// <summary>
    /// An embedding table whose gradient a backward pass writes, and where its bookkeeping lives in the
    /// touched-rows region: its marks (one int per row) and its list of touched rows (PerRow per batch row:
    /// every token of every input that feeds it).
    /// </summary>
    private sealed class TouchedTable
    {
        public TouchedTable(LayerParams p, int index) { Params = p; Index = index; }
        public LayerParams Params { get; }
        public int Index { get; }
        /// <summary>The token inputs that name its rows, each with the mask of a bag of embeddings (null for a plain lookup).</summary>
        public List<(Value Tokens, Value? Mask)> Inputs { get; } = new();
        public int PerRow => Inputs.Sum(v => v.Tokens.Shape.Size);
        public int MarkOffset { get; set; }
        public int RowOffset { get; set; }

        public static List<TouchedTable> Plan(Graph g)
        {
            var tables = new List<TouchedTable>();
            int marks = 0, rows = 0;
            foreach (LayerParams p in g.Parameters.Where(p => p.IsEmbedding))
            {
                var t = new TouchedTable(p, tables.Count);
                foreach (Node n in g.Nodes.Where(n => n.Kind is NodeKind.EmbeddingBackward or NodeKind.EmbeddingBagBackward && n.Forward!.Params == p))
                {
                    (Value, Value?) input = (n.Inputs[1], n.Kind == NodeKind.EmbeddingBagBackward ? n.Inputs[2] : null);
                    if (!t.Inputs.Contains(input)) t.Inputs.Add(input);
                }
                if (t.Inputs.Count == 0) continue; // never differentiated: its gradient stays zero
                t.MarkOffset = marks;
                t.RowOffset = rows;
                marks += p.Layer.In;
                rows += t.PerRow;
                tables.Add(t);
            }
            return tables;
        }
    }
}
