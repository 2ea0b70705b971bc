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
    /// <param name="gpu">The kernels of the referenced DeepNotes.Gpu, or null: then each model also gets its GPU plan.</param>
    public static ModelOutput Compile(ModelSpec spec, GpuLibrary? gpu = null)
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
        if (gpu is not null)
        {
            // From the same fused graph and memory plans as the CPU code. A node without a GPU rule (a library twin
            // the referenced DeepNotes.Gpu lacks) means no plan and DN0201, never generated code that does not compile.
            GpuEmitResult result = CSharpEmitter.EmitGpu(spec, graph, train, infer, gpu);
            if (result.MissingKernel is null) gpuSource = result.Source;
            else diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoGpuRule, spec.Location, spec.ClassName, result.Op ?? "", result.Expression ?? "", result.MissingKernel));
        }
        return new ModelOutput(hint, source, diagnostics.ToEquatableArray()) { GpuSource = gpuSource };
    }
}
