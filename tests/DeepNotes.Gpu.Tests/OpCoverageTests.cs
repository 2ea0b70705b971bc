using DeepNotes.Models;
using System.Linq;
using System.Reflection;
using Xunit.Abstractions;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// The small models of tests/DeepNotes.Models.Tests (linked into this project, so each also gets a GpuPlan) put
/// every op of the language through the GPU rules: chains of every step, broadcasting, Sum and Mean in the loss,
/// softmax, log-softmax with Nll, causal softmax, transposes, layouts, layer and batch norm, convolutions and
/// pooling of every kind. Each one with a single float input runs here on random data: the loss, every gradient
/// and the predictions match its CPU code. (The token models compile their plans too; SkipGram and Cbow run in
/// <see cref="PlanTests"/>.)
/// </summary>
public sealed class OpCoverageTests(DeviceFixture fixture, ITestOutputHelper output) : IClassFixture<DeviceFixture>
{
    private const int Batch = 3;
    private const ulong Seed = 5;

    private static IEnumerable<Type> ModelTypes() =>
        typeof(OpCoverageTests).Assembly.GetTypes()
            .Where(t => t.Namespace == "DeepNotes.Models.Tests" && typeof(IGeneratedModel).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (Type t in ModelTypes().Where(t => typeof(IModel).IsAssignableFrom(t))) data.Add(t.Name);
        return data;
    }

    [Fact]
    public void Every_test_model_has_a_gpu_plan()
    {
        List<Type> types = ModelTypes().ToList();
        Assert.True(types.Count >= 20, $"only {types.Count} test models were linked in");
        foreach (Type t in types)
            Assert.True(t.GetNestedType("GpuPlan") is { } plan && typeof(IGpuPlan).IsAssignableFrom(plan), $"{t.Name} has no GpuPlan");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Loss_gradients_and_predictions_match_the_cpu(string name)
    {
        Type type = ModelTypes().Single(t => t.Name == name);
        object cpu = type.GetMethod("Create", [typeof(int), typeof(ulong)])!.Invoke(null, [Batch, Seed])!;
        object gpu = type.GetNestedType("GpuPlan")!.GetMethod("Create")!.Invoke(null, [fixture.Device, Batch, Seed])!;
        var model = (IModel)cpu;
        float[] input = PlanData.Random(Batch * model.InputLength, 31);
        using PlanCase c = cpu switch
        {
            IClassifier classifier => new ClassifierCase(name, classifier, (IGpuClassifier)gpu, input, PlanData.Ints(Batch, model.OutputLength, 32), Batch),
            IRegressor regressor => new RegressorCase(name, regressor, (IGpuRegressor)gpu, input,
                PlanData.Random(Batch * regressor.TargetLength, 33).Select(v => 0.5f + 0.5f * v).ToArray(), Batch), // in [0, 1) for binary cross-entropy
            _ => throw new InvalidOperationException($"{name} has no loss"),
        };
        float loss = PlanTests.AssertGradientsAndPredictionsMatch(c);
        output.WriteLine($"{name}: loss {loss}");
    }
}
