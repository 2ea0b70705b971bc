using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeepNotes.Generators.Parsing;

/// <summary>
/// Turns an attributed class into a <see cref="ModelSpec"/>. This is the only code that touches
/// Roslyn symbols and syntax; everything after it works on the equatable spec.
/// </summary>
internal static class ModelParser
{
    private const string Ns = "DeepNotes";

    public static ModelSpec Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? classLocation = LocationInfo.From(syntax.Identifier.GetLocation());

        if (syntax is not ClassDeclarationSyntax || type.IsStatic || type.IsAbstract)
        {
            // Records, structs, static and abstract classes cannot hold a model's instance state: no code at all.
            string what = syntax is RecordDeclarationSyntax ? "a record" : syntax is StructDeclarationSyntax ? "a struct"
                : syntax is InterfaceDeclarationSyntax ? "an interface" : type.IsStatic ? "a static class" : "an abstract class";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAModelType, classLocation, type.Name, what));
            return new ModelSpec(type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
                type.Name, "partial class", EquatableArray<string>.Empty, EquatableArray<LayerSpec>.Empty, null, null,
                diagnostics.ToEquatableArray(), classLocation) { IsPartial = false, HintName = type.MetadataName + ".g.cs" };
        }

        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!isPartial)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelNotPartial, classLocation, type.Name));
        if (type.ContainingType is not null || type.IsGenericType)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedModel, classLocation, type.Name));

        var layers = new List<LayerSpec>();
        var blocks = new List<MethodSpec>();
        MethodSpec? forward = null, loss = null;
        foreach (ISymbol member in type.GetMembers())
        {
            ct.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol method) continue;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                string? name = AttributeName(attribute);
                switch (name)
                {
                    case "LinearAttribute":
                    case "DropoutAttribute":
                    case "Conv2dAttribute":
                    case "BatchNorm2dAttribute":
                    case "BatchNorm1dAttribute":
                    case "EmbeddingAttribute":
                    case "LayerNormAttribute":
                        LayerSpec? layer = ParseLayer(method, attribute, name, diagnostics);
                        if (layer is not null) layers.Add(layer);
                        break;
                    case "ForwardAttribute":
                        if (forward is not null)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateMethod, LocationOf(method), type.Name, "Forward"));
                        else
                            forward = ParseMethod(method, context.SemanticModel, type, "Forward", diagnostics, ct);
                        break;
                    case "BlockAttribute":
                        blocks.Add(ParseMethod(method, context.SemanticModel, type, "Block", diagnostics, ct));
                        break;
                    case "LossAttribute":
                        if (loss is not null)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateMethod, LocationOf(method), type.Name, "Loss"));
                        else
                            loss = ParseMethod(method, context.SemanticModel, type, "Loss", diagnostics, ct);
                        break;
                }
            }
        }

        if (forward is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingForward, classLocation, type.Name));

        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string keyword = (type.IsSealed ? "sealed " : "") + "partial class";
        // A nested or generic model is an error (DN0009), but its layer stubs must still land in the right type.
        var containers = new List<INamedTypeSymbol>();
        for (INamedTypeSymbol? t = type.ContainingType; t is not null; t = t.ContainingType) containers.Insert(0, t);
        var hintParts = new List<string>();
        if (ns.Length > 0) hintParts.Add(ns);
        hintParts.AddRange(containers.Select(t => t.MetadataName));
        hintParts.Add(type.MetadataName);
        return new ModelSpec(ns, type.Name, keyword, containers.Select(TypeHeader).ToEquatableArray(),
            layers.ToEquatableArray(), forward, loss, diagnostics.ToEquatableArray(), classLocation)
        {
            IsPartial = isPartial,
            Blocks = blocks.ToEquatableArray(),
            Accessibility = AccessibilityKeyword(type.DeclaredAccessibility),
            TypeParameters = TypeParameterList(type),
            HintName = string.Join(".", hintParts) + ".g.cs",
        };
    }

    /// <summary>"partial class Outer&lt;T&gt;": how generated code reopens a containing type.</summary>
    private static string TypeHeader(INamedTypeSymbol type)
    {
        string kind = type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };
        return $"partial {kind} {Identifier(type.Name)}{TypeParameterList(type)}";
    }

    private static string TypeParameterList(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => Identifier(p.Name))) + ">";

    /// <summary>A name as C# source: keywords get an @.</summary>
    private static string Identifier(string name) => CSharpNames.Identifier(name);

    private static string? AttributeName(AttributeData attribute)
    {
        INamedTypeSymbol? cls = attribute.AttributeClass;
        if (cls is null || cls.ContainingNamespace?.ToDisplayString() != Ns) return null;
        return cls.Name;
    }

    private static LocationInfo? LocationOf(ISymbol symbol) => LocationInfo.From(symbol.Locations.FirstOrDefault());

    private static LayerSpec? ParseLayer(IMethodSymbol method, AttributeData attribute, string name, List<DiagnosticInfo> diagnostics)
    {
        LocationInfo? location = LocationOf(method);
        // Bad sizes or probabilities point at the attribute that holds them; bad signatures at the method.
        LocationInfo? argumentsLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation()) ?? location;
        var problems = new List<(string Message, LocationInfo? Location)>();
        bool implemented = !method.IsPartialDefinition || method.PartialImplementationPart is not null;
        if (implemented)
            problems.Add(("a layer must be a partial method without a body", location));
        int count = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Count").Value.Value is int cv ? cv : 0;
        // One layer: Tensor F(Tensor x). Indexed layers (Count = n): Tensor F(int i, Tensor x). An Embedding takes Tokens instead.
        bool embedding = name == "EmbeddingAttribute";
        int tensorParameter = count > 0 ? 1 : 0;
        bool signature = method.Parameters.Length == tensorParameter + 1
                         && (count == 0 || method.Parameters[0].Type.SpecialType == SpecialType.System_Int32 && method.Parameters[0].RefKind == RefKind.None)
                         && (embedding ? IsTokens(method.Parameters[tensorParameter].Type) : IsTensor(method.Parameters[tensorParameter].Type))
                         && method.Parameters[tensorParameter].RefKind == RefKind.None
                         && IsTensor(method.ReturnType) && !method.ReturnsByRef && !method.ReturnsByRefReadonly;
        if (!signature)
        {
            string hint = !embedding && method.Parameters.Length == tensorParameter + 1 && IsTokens(method.Parameters[tensorParameter].Type)
                ? " (token ids go to an [Embedding] layer)" : "";
            problems.Add((count > 0 ? $"a layer with Count = {count.ToString(CultureInfo.InvariantCulture)} must take an int index and {(embedding ? "Tokens" : "a Tensor")}, and return a Tensor"
                                    : $"{(embedding ? "an Embedding layer must take Tokens (token ids)" : "a layer must take one Tensor")} and return a Tensor{hint}", location));
        }
        if (count < 0) problems.Add(($"Count must not be negative, got {count.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
        if (method.IsStatic) problems.Add(("a layer must not be static", location));

        LayerKind kind = name switch
        {
            "LinearAttribute" => LayerKind.Linear,
            "Conv2dAttribute" => LayerKind.Conv2d,
            "BatchNorm2dAttribute" => LayerKind.BatchNorm2d,
            "BatchNorm1dAttribute" => LayerKind.BatchNorm1d,
            "EmbeddingAttribute" => LayerKind.Embedding,
            "LayerNormAttribute" => LayerKind.LayerNorm,
            _ => LayerKind.Dropout,
        };
        int inF = 0, outF = 0; bool bias = true; InitKind init = InitKind.Auto; float std = 0.01f, p = 0f;
        var named = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, TypedConstant> arg in attribute.NamedArguments) named[arg.Key] = arg.Value.Value;
        int Int(string key, int fallback) => named.TryGetValue(key, out object? v) && v is int i ? i : fallback;
        float Float(string key, float fallback) => named.TryGetValue(key, out object? v) && v is float f ? f : fallback;
        string N(int v) => v.ToString(CultureInfo.InvariantCulture);
        int kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0; float momentum = 0.1f, epsilon = 1e-5f;
        switch (kind)
        {
            case LayerKind.Linear:
            case LayerKind.Conv2d:
            {
                if (attribute.ConstructorArguments.Length == 2)
                {
                    inF = attribute.ConstructorArguments[0].Value is int i ? i : 0;
                    outF = attribute.ConstructorArguments[1].Value is int o ? o : 0;
                }
                string what = kind == LayerKind.Linear ? "Linear sizes" : "Conv2d channel counts";
                if (inF <= 0 || outF <= 0)
                    problems.Add(($"{what} must be positive, got ({N(inF)}, {N(outF)})", argumentsLocation));
                bias = !named.TryGetValue("Bias", out object? b) || b is true;
                init = named.TryGetValue("Init", out object? iv) && iv is int ii ? (InitKind)ii : InitKind.Auto;
                std = Float("Std", 0.01f);
                if (init == InitKind.Normal && !(std > 0f)) problems.Add(($"Std must be positive, got {std.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                if (kind == LayerKind.Conv2d)
                {
                    int k = Int("Kernel", 1), st = Int("Stride", 1), pad = Int("Padding", 0);
                    kh = Int("KernelHeight", 0) is > 0 and var a ? a : k;
                    kw = Int("KernelWidth", 0) is > 0 and var c ? c : k;
                    sh = Int("StrideHeight", 0) is > 0 and var d ? d : st;
                    sw = Int("StrideWidth", 0) is > 0 and var e ? e : st;
                    ph = Int("PaddingHeight", -1) is >= 0 and var f ? f : pad;
                    pw = Int("PaddingWidth", -1) is >= 0 and var g ? g : pad;
                    if (k <= 0 || kh <= 0 || kw <= 0) problems.Add(($"kernel sizes must be positive, got {N(kh)}×{N(kw)}", argumentsLocation));
                    if (st <= 0 || sh <= 0 || sw <= 0) problems.Add(($"strides must be positive, got {N(sh)}×{N(sw)}", argumentsLocation));
                    if (pad < 0 || ph < 0 || pw < 0) problems.Add(($"padding must not be negative, got {N(ph)}×{N(pw)}", argumentsLocation));
                }
                break;
            }
            case LayerKind.Embedding:
            {
                if (attribute.ConstructorArguments.Length == 2)
                {
                    inF = attribute.ConstructorArguments[0].Value is int v ? v : 0;
                    outF = attribute.ConstructorArguments[1].Value is int d ? d : 0;
                }
                if (inF <= 0 || outF <= 0)
                    problems.Add(($"Embedding vocabulary and dimension must be positive, got ({N(inF)}, {N(outF)})", argumentsLocation));
                else if ((long)inF * outF > int.MaxValue / 3)
                    problems.Add(($"an Embedding table of {N(inF)} × {N(outF)} floats is more than the {N(int.MaxValue / 3)} floats a model can hold (its parameters, gradients and optimizer state share one array)", argumentsLocation));
                bias = false;
                init = named.TryGetValue("Init", out object? ei) && ei is int eii ? (InitKind)eii : InitKind.Auto;
                std = Float("Std", 1f); // PyTorch's nn.Embedding draws N(0, 1)
                if (init == InitKind.Normal && !(std > 0f)) problems.Add(($"Std must be positive, got {std.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                break;
            }
            case LayerKind.BatchNorm2d:
            case LayerKind.BatchNorm1d:
                inF = outF = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int ch ? ch : 0;
                if (inF <= 0) problems.Add(($"batch norm needs a positive channel count, got {N(inF)}", argumentsLocation));
                momentum = Float("Momentum", 0.1f);
                epsilon = Float("Epsilon", 1e-5f);
                if (!(momentum >= 0f && momentum <= 1f)) problems.Add(($"momentum must be in [0, 1], got {momentum.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                if (!(epsilon > 0f)) problems.Add(($"epsilon must be positive, got {epsilon.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                break;
            case LayerKind.LayerNorm:
                inF = outF = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int lf ? lf : 0;
                if (inF <= 0) problems.Add(($"layer norm needs a positive feature count, got {N(inF)}", argumentsLocation));
                epsilon = Float("Epsilon", 1e-5f);
                if (!(epsilon > 0f)) problems.Add(($"epsilon must be positive, got {epsilon.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                break;
            default:
                p = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is float pf ? pf : -1f;
                if (!(p >= 0f && p < 1f)) problems.Add(($"dropout probability must be in [0, 1), got {p.ToString(CultureInfo.InvariantCulture)}", argumentsLocation));
                break;
        }

        foreach ((string problem, LocationInfo? at) in problems)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadLayerDeclaration, at, method.Name, problem));
        // The generated stub implements the partial method; write it only when it matches the declaration
        // (same signature, not already implemented), or it would add C# errors of its own.
        if (implemented || !signature || method.IsStatic) return null;

        return new LayerSpec(method.Name, kind, inF, outF, bias, init, std, p,
            AccessibilityKeyword(method.DeclaredAccessibility), Identifier(method.Parameters[tensorParameter].Name), location)
        {
            IsValid = problems.Count == 0,
            Count = count,
            IndexParameterName = count > 0 ? Identifier(method.Parameters[0].Name) : "",
            KernelH = kh, KernelW = kw, StrideH = sh, StrideW = sw, PadH = ph, PadW = pw,
            Momentum = momentum, Epsilon = epsilon,
        };
    }

    private static bool IsTensor(ITypeSymbol type) => type.Name == "Tensor" && type.ContainingNamespace?.ToDisplayString() == Ns;
    private static bool IsLabels(ITypeSymbol type) => type.Name == "Labels" && type.ContainingNamespace?.ToDisplayString() == Ns;
    private static bool IsTokens(ITypeSymbol type) => type.Name == "Tokens" && type.ContainingNamespace?.ToDisplayString() == Ns;

    private static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static MethodSpec ParseMethod(IMethodSymbol method, SemanticModel model, INamedTypeSymbol type, string role,
                                          List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var parameters = new List<ParameterSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            AttributeData? shapeAttribute = parameter.GetAttributes().FirstOrDefault(a => AttributeName(a) == "ShapeAttribute");
            var dims = new List<int>();
            if (shapeAttribute is not null && shapeAttribute.ConstructorArguments.Length == 1)
            {
                TypedConstant arg = shapeAttribute.ConstructorArguments[0];
                if (arg.Kind == TypedConstantKind.Array)
                    foreach (TypedConstant v in arg.Values) dims.Add(v.Value is int d ? d : 0);
            }
            bool isLabels = IsLabels(parameter.Type);
            bool isInt = role == "Block" && parameter.Type.SpecialType == SpecialType.System_Int32;
            // Token ids are an input of [Forward] (and may be handed to a [Block]); Labels belong to the [Loss].
            bool isTokens = role != "Loss" && IsTokens(parameter.Type);
            DiagnosticDescriptor bad = role switch { "Forward" => DiagnosticDescriptors.BadForwardSignature, "Block" => DiagnosticDescriptors.BadBlockSignature, _ => DiagnosticDescriptors.BadLossSignature };
            if (!isLabels && !isInt && !isTokens && !IsTensor(parameter.Type))
            {
                string allowed = role switch { "Block" => "a Tensor, Tokens or an int (a constant index)", "Forward" => "a Tensor or Tokens", _ => "a Tensor or Labels" };
                diagnostics.Add(DiagnosticInfo.Create(bad, LocationOf(parameter), method.Name, $"parameter '{parameter.Name}' must be {allowed}, not {parameter.Type.ToDisplayString()}"));
            }
            parameters.Add(new ParameterSpec(parameter.Name, isLabels, dims.ToEquatableArray(), shapeAttribute is not null, LocationOf(parameter))
            {
                IsInt = isInt, IsTokens = isTokens,
            });
        }

        var body = new List<StmtSpec>();
        var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as MethodDeclarationSyntax;
        if (syntax is not null && model.SyntaxTree != syntax.SyntaxTree)
            model = model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        if (syntax?.ExpressionBody is { } arrow)
        {
            body.Add(new StmtSpec(StmtKind.Return, "", ParseExpr(arrow.Expression, model, type, diagnostics), Clean(arrow.Expression), LocationInfo.From(arrow.Expression)));
        }
        else if (syntax?.Body is { } block)
        {
            foreach (StatementSyntax statement in block.Statements)
            {
                ct.ThrowIfCancellationRequested();
                StmtSpec? s = ParseStatement(statement, model, type, role, diagnostics);
                if (s is not null) body.Add(s);
            }
        }
        if (!IsTensor(method.ReturnType))
        {
            DiagnosticDescriptor d = role switch { "Forward" => DiagnosticDescriptors.BadForwardSignature, "Block" => DiagnosticDescriptors.BadBlockSignature, _ => DiagnosticDescriptors.BadLossSignature };
            diagnostics.Add(DiagnosticInfo.Create(d, LocationOf(method), method.Name, $"must return Tensor, not {method.ReturnType.ToDisplayString()}"));
        }
        return new MethodSpec(method.Name, parameters.ToEquatableArray(), body.ToEquatableArray(), LocationOf(method));
    }

    private static StmtSpec? ParseStatement(StatementSyntax statement, SemanticModel model, INamedTypeSymbol type, string role, List<DiagnosticInfo> diagnostics)
    {
        switch (statement)
        {
            case LocalDeclarationStatementSyntax local when local.Declaration.Variables.Count == 1 && local.Declaration.Variables[0].Initializer is { } init:
                return new StmtSpec(StmtKind.Assign, local.Declaration.Variables[0].Identifier.ValueText,
                    ParseExpr(init.Value, model, type, diagnostics), Clean(local.Declaration.Variables[0]), LocationInfo.From(statement));
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assign } when assign.IsKind(SyntaxKind.SimpleAssignmentExpression) && assign.Left is IdentifierNameSyntax id:
                return new StmtSpec(StmtKind.Assign, id.Identifier.ValueText, ParseExpr(assign.Right, model, type, diagnostics), Clean(assign), LocationInfo.From(statement));
            case ReturnStatementSyntax { Expression: { } value }:
                return new StmtSpec(StmtKind.Return, "", ParseExpr(value, model, type, diagnostics), Clean(value), LocationInfo.From(statement));
            default:
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedStatement, LocationInfo.From(statement), FirstLine(statement), role));
                return null;
        }
    }

    private static ExprSpec ParseExpr(ExpressionSyntax expr, SemanticModel model, INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        LocationInfo? location = LocationInfo.From(expr);
        string text = Clean(expr);
        Optional<object?> constant = model.GetConstantValue(expr);
        if (constant.HasValue && constant.Value is int or float or double or long)
            return new ExprSpec(ExprKind.Constant, "", System.Convert.ToSingle(constant.Value, CultureInfo.InvariantCulture), EquatableArray<ExprSpec>.Empty, text, location);

        switch (expr)
        {
            case ParenthesizedExpressionSyntax paren:
                return ParseExpr(paren.Expression, model, type, diagnostics);
            case IdentifierNameSyntax id:
                return new ExprSpec(ExprKind.Identifier, id.Identifier.ValueText, 0, EquatableArray<ExprSpec>.Empty, text, location);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
                return new ExprSpec(ExprKind.Negate, "-", 0, new[] { ParseExpr(unary.Operand, model, type, diagnostics) }.ToEquatableArray(), text, location);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return ParseExpr(unary.Operand, model, type, diagnostics);
            case BinaryExpressionSyntax binary when binary.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
                return new ExprSpec(ExprKind.Binary, binary.OperatorToken.Text, 0,
                    new[] { ParseExpr(binary.Left, model, type, diagnostics), ParseExpr(binary.Right, model, type, diagnostics) }.ToEquatableArray(), text, location);
            case InvocationExpressionSyntax call:
            {
                var args = call.ArgumentList.Arguments.Select(a => ParseExpr(a.Expression, model, type, diagnostics)).ToEquatableArray();
                SymbolInfo info = model.GetSymbolInfo(call);
                // With C#'s own error on the call (say, Labels passed for a Tensor), still classify it by its one
                // candidate, so lowering can say what is wrong in model terms.
                ISymbol? resolved = info.Symbol ?? (info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] : null);
                if (resolved is IMethodSymbol target)
                {
                    if (target.ContainingType?.Name == "Ops" && target.ContainingType.ContainingNamespace?.ToDisplayString() == Ns)
                        return new ExprSpec(ExprKind.Op, target.Name, 0, args, text, location);
                    if (SymbolEqualityComparer.Default.Equals(target.ContainingType, type)
                        && target.GetAttributes().Any(a => LayerSpec.IsLayerAttribute(AttributeName(a))))
                        return new ExprSpec(ExprKind.Layer, target.Name, 0, args, text, location);
                    if (SymbolEqualityComparer.Default.Equals(target.ContainingType, type)
                        && target.GetAttributes().Any(a => AttributeName(a) == "BlockAttribute"))
                        return new ExprSpec(ExprKind.Block, target.Name, 0, args, text, location);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, location, text,
                        $"'{target.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' is neither an op of DeepNotes.Ops, a layer nor a [Block] of the model"));
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, location, text, "the call does not resolve to an op or a layer"));
                }
                return new ExprSpec(ExprKind.Constant, "", float.NaN, EquatableArray<ExprSpec>.Empty, text, location) { IsError = true };
            }
            default:
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, location, text,
                    "only op calls, layer calls, tensors, numeric constants and + - * / are allowed"));
                return new ExprSpec(ExprKind.Constant, "", float.NaN, EquatableArray<ExprSpec>.Empty, text, location) { IsError = true };
        }
    }

    private static string Clean(SyntaxNode node) => string.Join(" ", node.ToString().Split((char[]?)null, System.StringSplitOptions.RemoveEmptyEntries));

    private static string FirstLine(SyntaxNode node)
    {
        string text = node.ToString();
        int newline = text.IndexOf('\n');
        return (newline < 0 ? text : text.Substring(0, newline)).Trim();
    }
}
