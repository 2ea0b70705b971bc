using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

/// <summary>
/// Lowers the spec's [Forward] and [Loss] bodies to the graph IR, inferring and checking every
/// shape on the way (<see cref="ShapeRules"/>). Problems become diagnostics; lowering goes on past
/// them with a poisoned value so one mistake gives one error.
/// </summary>
internal sealed partial class Lowering
{
    private readonly ModelSpec _spec;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Graph _graph = new();
    private readonly Dictionary<string, LayerParams> _layers = new(); // by instance name
    private Dictionary<string, Term> _env = new();
    private int _blockDepth;

    private Lowering(ModelSpec spec, List<DiagnosticInfo> diagnostics) { _spec = spec; _diagnostics = diagnostics; }

    /// <summary>Returns the graph, or null when the model has errors (already in <paramref name="diagnostics"/>).</summary>
    public static Graph? Lower(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        var lowering = new Lowering(spec, diagnostics);
        int before = diagnostics.Count;
        lowering.Run();
        bool errors = spec.Diagnostics.Count > 0;
        for (int i = before; i < diagnostics.Count; i++)
            errors |= DiagnosticDescriptors.ById(diagnostics[i].Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error;
        return errors ? null : lowering._graph;
    }

    private void Run()
    {
        // Parameter layout: each layer's weight then bias in declaration order; batch-norm running
        // statistics (state, not trained) after every trainable tensor.
        int offset = 0;
        foreach (LayerSpec layer in _spec.Layers)
        {
            if (layer.Kind == LayerKind.Dropout || !layer.IsValid) continue;
            for (int k = 0; k < System.Math.Max(1, layer.Count); k++)
            {
                string name = layer.Count > 0 ? layer.Name + "." + k.ToString(System.Globalization.CultureInfo.InvariantCulture) : layer.Name;
                int weight = offset;
                offset += LayerParams.WeightLengthOf(layer);
                int bias = LayerParams.BiasLengthOf(layer) > 0 ? offset : -1;
                offset += LayerParams.BiasLengthOf(layer);
                var p = new LayerParams(layer, name, weight, bias) { Init = layer.Init };
                _layers[name] = p;
                _graph.Parameters.Add(p);
            }
        }
        foreach (LayerParams p in _graph.Parameters.Where(p => p.IsBatchNorm))
        {
            p.StateOffset = offset;
            offset += p.StateLength;
        }

        MethodSpec? forward = _spec.Forward;
        if (forward is null) return;
        if (!LowerInputs(forward)) return;

        Term result = LowerBody(forward, "Forward", out _);
        if (result.IsError) return;
        if (result.Value is null || !result.Value.Shape.Batched)
        {
            Report(DiagnosticDescriptors.BadForwardSignature, forward.Location, forward.Name,
                $"it must return a per-example {(result.IsTokens ? "float " : "")}tensor, but returns {Describe(result)}");
            return;
        }
        _graph.Output = result.Value;
        _graph.Phase = Phase.Loss;

        MethodSpec? loss = _spec.Loss;
        if (loss is null) return;
        _env.Clear();
        if (loss.Parameters.Count != 2 || loss.Parameters[0].IsLabels)
        {
            Report(DiagnosticDescriptors.BadLossSignature, loss.Location, loss.Name,
                "it must take the forward output (Tensor) and the targets (Labels, or a Tensor)");
            return;
        }
        _env[loss.Parameters[0].Name] = Term.Of(result.Value);
        if (IsTemp(result.Value)) result.Value.Name = loss.Parameters[0].Name; // "logits" reads better than "t3" in the comments
        ParameterSpec target = loss.Parameters[1];
        _graph.TargetName = target.Name;
        if (target.IsLabels && target.HasShape && !LowerLabelShape(loss, target)) return;
        if (_graph.Input is null && !CheckTargetName(forward, loss, target)) return;
        if (target.IsLabels)
        {
            _graph.TargetsAreLabels = true;
            _env[target.Name] = Term.LabelsTerm;
        }
        else
        {
            int[] dims = target.HasShape ? target.Shape.ToArray() : result.Value.Shape.Dims;
            if (dims.Length == 0 || dims.Any(d => d <= 0))
            {
                Report(DiagnosticDescriptors.BadLossSignature, target.Location, loss.Name, $"target '{target.Name}' needs positive dimensions");
                return;
            }
            Value t = _graph.NewValue(new Shape(true, dims), target.Name);
            t.Storage = StorageKind.Targets;
            _graph.Targets = t;
            _env[target.Name] = Term.Of(t);
        }
        Term lossValue = LowerBody(loss, "Loss", out ExprSpec? returned);
        if (lossValue.IsError) return;
        if (lossValue.Value is null || !lossValue.Value.Shape.IsScalar)
        {
            // At the returned expression, which is what needs a Mean or Sum around it.
            Report(DiagnosticDescriptors.LossNotScalar, returned?.Location ?? loss.Location, returned?.Text ?? loss.Name,
                lossValue.Value?.Shape.ToString() ?? Describe(lossValue));
            return;
        }
        if (IsTemp(lossValue.Value)) lossValue.Value.Name = "loss";
        _graph.Loss = lossValue.Value;
    }

    private Term LowerBody(MethodSpec method, string role, out ExprSpec? returnedExpr)
    {
        Term? returned = null;
        returnedExpr = null;
        foreach (StmtSpec statement in method.Body)
        {
            Term value = LowerExpr(statement.Value);
            if (statement.Kind == StmtKind.Assign)
            {
                if (value.Value is { } v && IsTemp(v)) v.Name = statement.Target;
                _env[statement.Target] = value;
            }
            else
            {
                returned = value;
                returnedExpr = statement.Value;
                break;
            }
        }
        if (returned is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, method.Location, "a body without a return", role);
            return Term.Error;
        }
        return returned;
    }

    private Term LowerExpr(ExprSpec e)
    {
        if (e.IsError) return Term.Error;
        switch (e.Kind)
        {
            case ExprKind.Constant: return Term.Const(e.Value);
            case ExprKind.Identifier:
                if (_env.TryGetValue(e.Name, out Term? t)) return t;
                Report(DiagnosticDescriptors.UnknownVariable, e.Location, e.Name);
                return Term.Error;
            case ExprKind.Negate:
            {
                Term a = LowerExpr(e.Args[0]);
                if (a.IsError) return a;
                if (a.IsLabels) return LabelsMisuse(e);
                if (a.IsTokens) return TokensAsFloats(e, "unary minus");
                if (a.Constant is float c) return Term.Const(-c);
                return Step(RequireTensor(a, e), new ChainStep(StepKind.Affine, -1f, 0f), e);
            }
            case ExprKind.Binary: return LowerBinary(e);
            case ExprKind.Layer: return LowerLayer(e);
            case ExprKind.Block: return LowerBlock(e);
            case ExprKind.Op: return LowerOp(e);
            default: return Term.Error;
        }
    }

    private Term LowerBinary(ExprSpec e)
    {
        Term a = LowerExpr(e.Args[0]), b = LowerExpr(e.Args[1]);
        if (a.IsError || b.IsError) return Term.Error;
        if (a.IsLabels || b.IsLabels) return LabelsMisuse(e);
        if (a.IsTokens || b.IsTokens) return TokensAsFloats(e, $"'{e.Name}'");
        if (a.Constant is float ca && b.Constant is float cb)
            return Term.Const(e.Name switch { "+" => ca + cb, "-" => ca - cb, "*" => ca * cb, _ => ca / cb });
        if (b.Constant is float k)
        {
            ChainStep step = e.Name switch
            {
                "+" => new ChainStep(StepKind.Affine, 1f, k),
                "-" => new ChainStep(StepKind.Affine, 1f, -k),
                "*" => new ChainStep(StepKind.Affine, k, 0f),
                _ => new ChainStep(StepKind.Affine, 1f / k, 0f),
            };
            return Step(a.Value!, step, e);
        }
        if (a.Constant is float h)
        {
            ChainStep step = e.Name switch
            {
                "+" => new ChainStep(StepKind.Affine, 1f, h),
                "-" => new ChainStep(StepKind.Affine, -1f, h),
                "*" => new ChainStep(StepKind.Affine, h, 0f),
                _ => new ChainStep(StepKind.Reciprocal, h, 0f),
            };
            return Step(b.Value!, step, e);
        }
        Value va = a.Value!, vb = b.Value!;
        Shape? shape = ShapeRules.Broadcast(va.Shape, vb.Shape);
        if (shape is null)
        {
            Report(DiagnosticDescriptors.NotBroadcastable, e.Location, e.Text, va.Shape, vb.Shape);
            return Term.Error;
        }
        BinOp op = e.Name switch { "+" => BinOp.Add, "-" => BinOp.Subtract, "*" => BinOp.Multiply, _ => BinOp.Divide };
        Value y = _graph.NewValue(shape, Temp());
        Node node = _graph.Add(NodeKind.Binary, new[] { va, vb }, y, e.Text);
        node.Op = op;
        node.InPlace = va.Shape.SameAs(shape);
        return Term.Of(y);
    }

    private Term LowerLayer(ExprSpec e)
    {
        LayerSpec? layer = _spec.Layers.FirstOrDefault(l => l.Name == e.Name);
        if (layer is null) return Unsupported(e, "not a layer of the model");
        int expected = layer.Count > 0 ? 2 : 1;
        if (e.Args.Count != expected) return Unsupported(e, layer.Count > 0 ? "an indexed layer takes a constant index and a tensor" : "a layer takes one tensor");
        string instance = layer.Name;
        if (layer.Count > 0)
        {
            Term index = LowerExpr(e.Args[0]);
            if (index.IsError) return index;
            if (index.Constant is not float f || f != System.Math.Floor(f) || f < 0 || f >= layer.Count)
                return BadOperand(e, $"the index of {layer.Name} must be a constant in [0, {layer.Count}), got {Describe(index)}");
            instance = layer.Name + "." + ((int)f).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        Term x = LowerExpr(e.Args[expected - 1]);
        if (x.IsError) return x;
        if (x.IsLabels) return LabelsMisuse(e);
        if (!layer.IsValid) return Term.Error; // the parser reported the declaration
        if (layer.TakesTokens && !x.IsTokens) return FloatsAsTokens(e, $"the Embedding layer {layer.Name}", x);
        if (!layer.TakesTokens && x.IsTokens) return TokensAsFloats(e, $"the {layer.Kind} layer {layer.Name}");
        Value v = layer.TakesTokens ? x.Tokens! : RequireTensor(x, e);
        if (v is null) return Term.Error;
        _layers.TryGetValue(instance, out LayerParams? lp);
        Term result = layer.TakesTokens ? LowerEmbedding(v, layer, e) : LowerLayerKind(v, layer, e);
        if (result.Value?.Producer is { } producer && producer.Layer == layer) producer.Params = lp;
        return result;
    }

    private Term LowerLayerKind(Value v, LayerSpec layer, ExprSpec e)
    {
        if (layer.Kind == LayerKind.Dropout) return LowerDropout(v, layer.P, e);
        if (layer.Kind == LayerKind.Conv2d) return LowerConv2d(v, layer, e);
        if (layer.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d) return LowerBatchNorm(v, layer, e);
        if (layer.Kind == LayerKind.LayerNorm) return LowerLayerNorm(v, layer, e);

        Shape s = v.Shape;
        if (!s.Batched || s.Rank == 0 || s.Dims[s.Rank - 1] != layer.In)
        {
            Report(DiagnosticDescriptors.LayerInputMismatch, e.Location, e.Text, layer.In.ToString(System.Globalization.CultureInfo.InvariantCulture) + " input features", s);
            return Term.Error;
        }
        int[] dims = s.Dims.ToArray();
        dims[dims.Length - 1] = layer.Out;
        Value y = _graph.NewValue(new Shape(true, dims), Temp());
        Node node = _graph.Add(NodeKind.Dense, new[] { v }, y, e.Text);
        node.Layer = layer;
        return Term.Of(y);
    }

    private Term LowerOp(ExprSpec e)
    {
        // MatMul(a, Transpose(b)) reads b transposed in place: no copy of b.
        bool transposeB = e.Name == "MatMul" && e.Args.Count == 2
                          && e.Args[1] is { Kind: ExprKind.Op, Name: "Transpose", IsError: false } tr && tr.Args.Count == 1;
        var args = (transposeB ? new[] { e.Args[0], e.Args[1].Args[0] } : e.Args.ToArray()).Select(LowerExpr).ToList();
        if (args.Any(a => a.IsError)) return Term.Error;
        if (e.Name is "OneHot" or "MaskedMean") return LowerTokenOp(args, e);
        if (args.Any(a => a.IsTokens)) return TokensAsFloats(e, e.Name);
        switch (e.Name)
        {
            case "Relu": return Unary(args, e, StepKind.Relu);
            case "Sigmoid": return Unary(args, e, StepKind.Sigmoid);
            case "Tanh": return Unary(args, e, StepKind.Tanh);
            case "Exp": return Unary(args, e, StepKind.Exp);
            case "Log": return Unary(args, e, StepKind.Log);
            case "Softmax":
            case "LogSoftmax":
            case "CausalSoftmax":
            {
                if (e.Name == "Softmax" && args.Count == 2) return LowerMaskedSoftmax(args, e);
                Value? x = OneTensor(args, e);
                if (x is null) return Term.Error;
                if (x.Shape.Rank == 0) return BadOperand(e, $"{e.Name} needs at least one axis, but its input has shape {x.Shape}");
                if (e.Name == "CausalSoftmax" && (x.Shape.Rank < 2 || !x.Shape.Batched))
                    return BadOperand(e, $"CausalSoftmax masks per-example matrices [..., n, m] (row i sees columns 0..i), but its input has shape {x.Shape}");
                Value y = _graph.NewValue(x.Shape, Temp());
                Node node = _graph.Add(e.Name == "LogSoftmax" ? NodeKind.LogSoftmax : NodeKind.Softmax, new[] { x }, y, e.Text);
                node.Causal = e.Name == "CausalSoftmax";
                return Term.Of(y);
            }
            case "Transpose":
            {
                Value? x = OneTensor(args, e);
                if (x is null) return Term.Error;
                if (!x.Shape.Batched || x.Shape.Rank < 2)
                    return BadOperand(e, $"Transpose swaps the last two axes of per-example matrices [..., n, m], but its input has shape {x.Shape}");
                int[] tdims = x.Shape.Dims.ToArray();
                (tdims[tdims.Length - 2], tdims[tdims.Length - 1]) = (tdims[tdims.Length - 1], tdims[tdims.Length - 2]);
                Value y = _graph.NewValue(new Shape(true, tdims), Temp());
                _graph.Add(NodeKind.Transpose, new[] { x }, y, e.Text);
                return Term.Of(y);
            }
            case "Flatten":
            {
                Value? x = OneTensor(args, e);
                if (x is null) return Term.Error;
                if (!x.Shape.Batched) return BadOperand(e, $"Flatten needs a per-example tensor, not {x.Shape}");
                Value y = _graph.NewValue(new Shape(true, x.Shape.Size), Temp());
                _graph.Add(NodeKind.Flatten, new[] { x }, y, e.Text);
                y.AliasOf = x;
                return Term.Of(y);
            }
            case "Reshape":
            case "Permute":
                return LowerLayoutOp(args, e);
            case "Concat":
            case "Split":
            case "PositionalEncoding":
                return LowerSequenceOp(args, e);
            case "Sum":
            case "Mean":
            {
                Value? x = OneTensor(args, e);
                if (x is null) return Term.Error;
                Value y = _graph.NewValue(Shape.Scalar, Temp());
                _graph.Add(e.Name == "Sum" ? NodeKind.Sum : NodeKind.Mean, new[] { x }, y, e.Text);
                return Term.Of(y);
            }
            case "MatMul":
            {
                if (args.Count != 2 || args[0].Value is null || args[1].Value is null) return BadOperand(e, "MatMul takes two tensors");
                Value a = args[0].Value!, b = args[1].Value!;
                if (!a.Shape.Batched || !b.Shape.Batched || a.Shape.Rank == 0 || b.Shape.Rank == 0)
                    return BadOperand(e, $"MatMul needs per-example matrices [n, k] and [k, m] (or vectors [k]), got {a.Shape} and {b.Shape}");
                if (transposeB && b.Shape.Rank < 2)
                    return BadOperand(e, $"Transpose swaps the last two axes of per-example matrices [..., n, m], but its input has shape {b.Shape}");
                // Leading axes ([h, n, k] x [h, k, m]): one product per leading index, the same leading axes on both sides.
                int lead = System.Math.Max(a.Shape.Rank, b.Shape.Rank) - 2;
                if (lead > 0 && (a.Shape.Rank != b.Shape.Rank || !a.Shape.Dims.Take(lead).SequenceEqual(b.Shape.Dims.Take(lead))))
                    return BadOperand(e, $"MatMul of operands with leading axes needs the same leading axes on both sides ([..., n, k] x [..., k, m]), got {a.Shape} and {b.Shape}");
                int ra = a.Shape.Rank, rb = b.Shape.Rank;
                // With Transpose(b), b is stored [..., m, k]; the message shows the operand as MatMul sees it.
                int bRows = transposeB ? b.Shape.Dims[rb - 1] : b.Shape.Dims[rb == 1 ? 0 : rb - 2];
                if (a.Shape.Dims[ra - 1] != bRows)
                {
                    int[] seen = b.Shape.Dims.ToArray();
                    if (transposeB) (seen[rb - 2], seen[rb - 1]) = (seen[rb - 1], seen[rb - 2]);
                    Report(DiagnosticDescriptors.MatMulMismatch, e.Location, e.Text, Dims(a.Shape), "[" + string.Join(", ", seen) + "]");
                    return Term.Error;
                }
                // NumPy's matmul: a vector operand drops its axis from the result.
                var dims = new List<int>(a.Shape.Dims.Take(lead));
                if (ra >= 2) dims.Add(a.Shape.Dims[ra - 2]);
                if (rb >= 2) dims.Add(transposeB ? b.Shape.Dims[rb - 2] : b.Shape.Dims[rb - 1]);
                Value y = _graph.NewValue(new Shape(true, dims.ToArray()), Temp());
                _graph.Add(NodeKind.MatMul, new[] { a, b }, y, e.Text).TransposeB = transposeB;
                return Term.Of(y);
            }
            case "Dropout":
            {
                if (args.Count != 2 || args[0].Value is null || args[1].Constant is not float p) return BadOperand(e, "Dropout takes a tensor and a constant probability");
                if (!(p >= 0f && p < 1f)) return BadOperand(e, $"dropout probability must be in [0, 1), got {p.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return LowerDropout(args[0].Value!, p, e);
            }
            case "CrossEntropy":
            case "Nll":
            {
                if (args.Count != 2 || args[0].Value is null || !args[1].IsLabels)
                {
                    Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text, $"{e.Name} takes a tensor of per-class scores and the Labels parameter");
                    return Term.Error;
                }
                Value z = args[0].Value!;
                if (!ClassScoresFit(z, e)) return Term.Error;
                Value loss = _graph.NewValue(Shape.Scalar, Temp());
                Node node = _graph.Add(e.Name == "Nll" ? NodeKind.Nll : NodeKind.CrossEntropy, new[] { z }, loss, e.Text);
                if (node.Kind == NodeKind.CrossEntropy) node.Aux = _graph.NewValue(z.Shape, "probabilities");
                return Term.Of(loss);
            }
            case "Mse":
            case "BinaryCrossEntropy":
            {
                if (args.Any(a => a.IsLabels)) return LabelsMisuse(e);
                if (args.Count != 2 || args[0].Value is null || args[1].Value is null)
                {
                    Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text, $"{e.Name} takes a prediction tensor and a target tensor");
                    return Term.Error;
                }
                Value yv = args[0].Value!, t = args[1].Value!;
                if (!yv.Shape.SameAs(t.Shape))
                {
                    Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text, $"prediction {yv.Shape} and target {t.Shape} differ in shape");
                    return Term.Error;
                }
                Value loss = _graph.NewValue(Shape.Scalar, Temp());
                _graph.Add(e.Name == "Mse" ? NodeKind.Mse : NodeKind.BinaryCrossEntropy, new[] { yv, t }, loss, e.Text);
                return Term.Of(loss);
            }
            case "MaxPool2d":
            case "AvgPool2d":
                return LowerPool(args, e);
            case "GlobalAvgPool2d":
                return LowerGlobalAvgPool(args, e);
            default:
                return Unsupported(e, $"Ops.{e.Name} is not implemented by this version of the compiler");
        }
    }

    /// <summary>Inlines a [Block] helper: its parameters bound to the call's tensors and constants, its body lowered in a scope of its own.</summary>
    private Term LowerBlock(ExprSpec e)
    {
        MethodSpec? block = _spec.Blocks.FirstOrDefault(b => b.Name == e.Name);
        if (block is null) return Unsupported(e, "not a [Block] of the model");
        if (_blockDepth >= 32) return Unsupported(e, "blocks nest more than 32 deep (a block that calls itself?)");
        if (e.Args.Count != block.Parameters.Count) return BadOperand(e, $"{block.Name} takes {block.Parameters.Count} arguments");
        var scope = new Dictionary<string, Term>();
        for (int i = 0; i < e.Args.Count; i++)
        {
            Term arg = LowerExpr(e.Args[i]);
            if (arg.IsError) return arg;
            ParameterSpec parameter = block.Parameters[i];
            if (parameter.IsTokens && !arg.IsTokens) return FloatsAsTokens(e, $"parameter '{parameter.Name}' of {block.Name}", arg);
            if (!parameter.IsTokens && !parameter.IsInt && arg.IsTokens) return TokensAsFloats(e, $"parameter '{parameter.Name}' of {block.Name}");
            if (parameter.IsTokens) { scope[parameter.Name] = arg; continue; }
            if (parameter.IsInt ? arg.Constant is null : arg.Value is null)
                return BadOperand(e, $"argument '{parameter.Name}' of {block.Name} must be {(parameter.IsInt ? "a constant int" : "a tensor")}, got {Describe(arg)}");
            scope[parameter.Name] = arg;
        }
        Dictionary<string, Term> outer = _env;
        _env = scope;
        _blockDepth++;
        try
        {
            return LowerBody(block, "Block", out _);
        }
        finally
        {
            _blockDepth--;
            _env = outer;
        }
    }

    private Term LowerDropout(Value x, float p, ExprSpec e)
    {
        if (p == 0f) return Term.Of(x);
        Value y = _graph.NewValue(x.Shape, Temp());
        Node node = _graph.Add(NodeKind.Dropout, new[] { x }, y, e.Text);
        node.P = p;
        node.InPlace = true;
        return Term.Of(y);
    }

    private Term Unary(List<Term> args, ExprSpec e, StepKind kind)
    {
        Value? x = OneTensor(args, e);
        return x is null ? Term.Error : Step(x, new ChainStep(kind, 0f, 0f), e);
    }

    private Term Step(Value x, ChainStep step, ExprSpec e)
    {
        Value y = _graph.NewValue(x.Shape, Temp());
        Node node = _graph.Add(NodeKind.Chain, new[] { x }, y, e.Text);
        node.Steps.Add(step);
        node.InPlace = true;
        return Term.Of(y);
    }

    private Value? OneTensor(List<Term> args, ExprSpec e)
    {
        if (args.Count == 1 && args[0].Value is { } v) return v;
        if (args.Any(a => a.IsLabels)) LabelsMisuse(e);
        else BadOperand(e, $"{e.Name} takes one tensor");
        return null;
    }

    private Value RequireTensor(Term t, ExprSpec e)
    {
        if (t.Value is null) BadOperand(e, "a tensor is needed here");
        return t.Value!;
    }

    private Term TokensAsFloats(ExprSpec e, string what)
    {
        Report(DiagnosticDescriptors.TokensAsFloats, e.Location, e.Text, what);
        return Term.Error;
    }

    private Term FloatsAsTokens(ExprSpec e, string what, Term given)
    {
        Report(DiagnosticDescriptors.FloatsAsTokens, e.Location, e.Text, what, given.Value is { } v ? "a float tensor " + v.Shape : Describe(given));
        return Term.Error;
    }

    private Term LabelsMisuse(ExprSpec e)
    {
        Report(DiagnosticDescriptors.LossInputMismatch, e.Location, e.Text, "Labels can only be passed to CrossEntropy or Nll");
        return Term.Error;
    }

    private Term BadOperand(ExprSpec e, string message)
    {
        Report(DiagnosticDescriptors.BadOperand, e.Location, e.Text, message);
        return Term.Error;
    }

    private Term Unsupported(ExprSpec e, string message)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, e.Location, e.Text, message);
        return Term.Error;
    }

    private static string Describe(Term t) => t.Constant is not null ? "a constant" : t.IsLabels ? "the labels"
        : t.IsTokens ? "token ids " + t.Tokens!.Shape : t.Value?.Shape.ToString() ?? "nothing";

    private static string Dims(Shape s) => "[" + string.Join(", ", s.Dims) + "]";

    private static bool IsTemp(Value v) => v.Producer is not null && v.Name.Length > 1 && v.Name[0] == 't' && v.Name.Skip(1).All(char.IsDigit);

    private string Temp() => "t" + _graph.Nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, location ?? _spec.Location, args));

    /// <summary>What an expression evaluates to: a tensor, a constant, the labels, or an error already reported.</summary>
    private sealed class Term
    {
        /// <summary>A float tensor (null for token ids: they are not floats to compute with).</summary>
        public Value? Value { get; private set; }
        public float? Constant { get; private set; }
        public bool IsLabels { get; private set; }
        public bool IsError { get; private set; }
        /// <summary>Token ids: an input of [Forward] declared as Tokens.</summary>
        public Value? Tokens { get; private set; }
        public bool IsTokens => Tokens is not null;

        public static Term Of(Value v) => new() { Value = v };
        public static Term TokensOf(Value v) => new() { Tokens = v };
        public static Term Const(float c) => new() { Constant = c };
        public static readonly Term LabelsTerm = new() { IsLabels = true };
        public static readonly Term Error = new() { IsError = true };
    }
}

/// <summary>Shape rules shared by lowering and the emitter.</summary>
internal static class ShapeRules
{
    /// <summary>NumPy broadcasting of per-example dims, right-aligned; the batch broadcasts like a leading axis.</summary>
    public static Shape? Broadcast(Shape a, Shape b)
    {
        int rank = System.Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1) return null;
            dims[i] = System.Math.Max(da, db);
        }
        return new Shape(a.Batched || b.Batched, dims);
    }

    /// <summary>Operand dims right-aligned to <paramref name="rank"/>, padded with 1.</summary>
    public static int[] Align(Shape s, int rank)
    {
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = i < rank - s.Rank ? 1 : s.Dims[i - (rank - s.Rank)];
        return dims;
    }
}
