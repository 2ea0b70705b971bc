using System.Linq;
using System.Reflection;
using ILGPU;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// Every GPU kernel method with a CPU namesake follows docs/gpu.md's mapping of its CPU twin's signature, so the
/// generated GPU plan can be written as the CPU column with a device in front.
/// </summary>
public sealed class ContractTests
{
    public static TheoryData<string> TwinNames()
    {
        var names = new TheoryData<string>();
        foreach (string name in Twins()) names.Add(name);
        return names;
    }

    private static IEnumerable<string> Twins() =>
        GpuMethods().Where(m => CpuOverloads(m).Length > 0).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").Distinct();

    [Theory]
    [MemberData(nameof(TwinNames))]
    public void TheTwinTakesTheCpuParametersAfterTheDevice(string name)
    {
        foreach (MethodInfo gpu in GpuMethods().Where(m => $"{m.DeclaringType!.Name}.{m.Name}" == name))
        {
            string?[] reasons = CpuOverloads(gpu).Select(cpu => Mismatch(cpu, gpu)).ToArray();
            if (reasons.All(r => r != null))
                Assert.Fail($"{name}({string.Join(", ", gpu.GetParameters().Select(p => p.Name))}) matches no CPU overload: {string.Join("; ", reasons)}");
        }
    }

    [Fact]
    public void EveryKernelClassOfThisHelperHasItsTwins()
    {
        string[] expected =
        [
            "Activations.Backward", "Elementwise.Relu", "Elementwise.Sigmoid", "Elementwise.Tanh", "Elementwise.Exp", "Elementwise.Log",
            "Elementwise.Affine", "Elementwise.Reciprocal", "Elementwise.Accumulate", "Broadcast.Forward", "Broadcast.Backward",
            "Reductions.Sum", "Reductions.Mean", "Reductions.Backward", "Softmax.Forward", "Softmax.CausalForward", "Softmax.Backward",
            "Softmax.LogForward", "Softmax.LogBackward", "Losses.CrossEntropyForward", "Losses.CrossEntropyBackward", "Losses.NllForward",
            "Losses.NllBackward", "Losses.MseForward", "Losses.MseBackward", "Losses.BinaryCrossEntropyForward",
            "Losses.BinaryCrossEntropyBackward", "Dropout.Forward", "Dropout.Backward", "BatchNorm.TrainForward", "BatchNorm.InferForward",
            "BatchNorm.Backward", "LayerNorm.Forward", "LayerNorm.Backward", "Layout.Permute", "Embedding.Forward", "Embedding.Backward",
            "Embedding.BagForward", "Embedding.BagBackward", "Embedding.MaskedMeanForward", "Embedding.MaskedMeanBackward",
            "Embedding.MaskedMeanBackwardMask", "Embedding.OneHot", "Layout.Slice", "Layout.Place", "PositionalEncoding.Add",
            "Softmax.MaskedForward",
        ];
        var twins = Twins().ToHashSet();
        string[] missing = expected.Where(e => !twins.Contains(e)).ToArray();
        Assert.True(missing.Length == 0, "no twin for " + string.Join(", ", missing));
    }

    private static IEnumerable<MethodInfo> GpuMethods() =>
        typeof(GpuDevice).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Namespace == "DeepNotes.Gpu.Kernels")
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly));

    private static MethodInfo[] CpuOverloads(MethodInfo gpu)
    {
        Type? cpu = typeof(DeepNotes.Kernels.Activation).Assembly.GetType("DeepNotes.Kernels." + gpu.DeclaringType!.Name);
        return cpu?.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == gpu.Name).ToArray() ?? [];
    }

    /// <summary>Why <paramref name="gpu"/> is not the mapped twin of <paramref name="cpu"/>, or null when it is.</summary>
    private static string? Mismatch(MethodInfo cpu, MethodInfo gpu)
    {
        ParameterInfo[] c = cpu.GetParameters(), g = gpu.GetParameters();
        if (g.Length == 0 || g[0].ParameterType != typeof(GpuDevice)) return "the device is not the first parameter";
        int shift = 1;
        if (cpu.ReturnType == typeof(float))
        {
            if (gpu.ReturnType != typeof(void) || g.Length < 2 || g[1].ParameterType != typeof(ArrayView<float>))
                return "a float result becomes a length-1 view after the device";
            shift = 2;
        }
        else if (gpu.ReturnType != cpu.ReturnType) return "the return types differ";
        // Trailing optional parameters beyond the CPU's (Gemm's alpha) are allowed: a call written with the CPU's arguments still compiles.
        if (g.Length < c.Length + shift || g.Skip(c.Length + shift).Any(p => !p.HasDefaultValue))
            return $"{c.Length} CPU parameters, {g.Length - shift} GPU ones";
        for (int i = 0; i < c.Length; i++)
        {
            ParameterInfo cp = c[i], gp = g[i + shift];
            if (cp.Name != gp.Name) return $"parameter {i} is '{cp.Name}' on the CPU, '{gp.Name}' here";
            if (!Maps(cp.ParameterType, gp.ParameterType)) return $"'{cp.Name}' is {cp.ParameterType.Name} on the CPU, {gp.ParameterType.Name} here";
            if (cp.HasDefaultValue != gp.HasDefaultValue || (cp.HasDefaultValue && !Equals(cp.DefaultValue, gp.DefaultValue)))
                return $"'{cp.Name}' has another default";
        }
        return null;
    }

    private static bool Maps(Type cpu, Type gpu)
    {
        if (cpu == typeof(Span<float>) || cpu == typeof(ReadOnlySpan<float>)) return gpu == typeof(ArrayView<float>);
        if (cpu == typeof(Span<int>) || cpu == typeof(ReadOnlySpan<int>)) return gpu == typeof(ArrayView<int>);
        if (cpu == typeof(float) && gpu == typeof(ArrayView<float>)) return true;   // a scalar read from the arena (scale, dy)
        return cpu == gpu;
    }
}
