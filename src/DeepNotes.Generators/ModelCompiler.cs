using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Diagnostics;
using DeepNotes.Generators.Emit;
using DeepNotes.Generators.Ir;
using DeepNotes.Generators.Model;
using DeepNotes.Generators.Passes;

namespace DeepNotes.Generators;

/// <summary>The compiler's back half: spec → IR (shapes checked) → fusion → autodiff → memory plans → C#.</summary>
internal static class ModelCompiler
{
    /// <param name="gpu">Whether the compilation references DeepNotes.Gpu: then each model also gets its GPU plan.</param>
    public static ModelOutput Compile(ModelSpec spec, bool gpu = false)
    {
        string hint = spec.HintName;
        var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
        if (!spec.IsPartial) return new ModelOutput(hint, null, diagnostics.ToEquatableArray());

        Graph? graph = spec.Diagnostics.Count == 0 ? Lowering.Lower(spec, diagnostics) : null;
        if (graph is null)
        {
            // Still implement the layer methods, so the user sees our errors and not CS8795.
            return new ModelOutput(hint, CSharpEmitter.Emit(spec, null, null, null), diagnostics.ToEquatableArray());
        }

        Fusion.Run(graph);
        Autodiff.Run(graph);
        MemoryPlan train = MemoryPlanner.Plan(graph, graph.Nodes, inference: false);
        MemoryPlan infer = MemoryPlanner.Plan(graph, graph.Nodes.Take(graph.LossStart).ToList(), inference: true);
        string source = CSharpEmitter.Emit(spec, graph, train, infer);
        string? gpuSource = null;
        if (gpu)
        {
            // From the same fused graph and memory plans as the CPU code; a node without a GPU rule means no plan (DN0201).
            Node? missing = graph.Nodes.FirstOrDefault(n => !CSharpEmitter.HasGpuRule(n.Kind));
            if (missing is null) gpuSource = CSharpEmitter.EmitGpu(spec, graph, train, infer);
            else diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoGpuRule, spec.Location, spec.ClassName, missing.Kind, missing.Text));
        }
        return new ModelOutput(hint, source, diagnostics.ToEquatableArray()) { GpuSource = gpuSource };
    }
}
