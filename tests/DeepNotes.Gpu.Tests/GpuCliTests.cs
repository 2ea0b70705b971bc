using System.IO;
using System.Text.Json;
using DeepNotes.Gpu.Cli;

namespace DeepNotes.Gpu.Tests;

[CollectionDefinition("gpu-cli", DisableParallelization = true)]
public sealed class GpuCliCollection;

/// <summary>
/// <c>deepnotes-gpu</c> on ILGPU's CPU accelerator: check compares plans with the CPU and reports each model,
/// bench prints one JSON line per workload, and bad command lines are one clear line with exit code 2.
/// </summary>
[Collection("gpu-cli")]
public sealed class GpuCliTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        TextWriter stdout = Console.Out, stderr = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    [Fact]
    public void CheckReportsEachModelWithinTolerance()
    {
        (int code, string output, _) = Run("check", "--device", "cpu", "--models", "Perceptron,LeNet5");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^ok\s+Perceptron\s", output);
        Assert.Matches(@"(?m)^ok\s+LeNet5\s", output);
        Assert.Contains("2 of 2 models within", output);
    }

    [Fact]
    public void InfoNamesTheGemmKernelTheOptionPicks()
    {
        (int code, string output, _) = Run("info", "--device", "cpu");
        Assert.Equal(0, code);
        Assert.Contains("GEMM: direct (barrier-free) ILGPU GEMM", output);
        (code, output, _) = Run("info", "--device", "cpu", "--gemm", "tiled");
        Assert.Equal(0, code);
        Assert.Contains("GEMM: tiled ILGPU GEMM", output);
    }

    [Fact]
    public void BenchPrintsOneJsonLinePerWorkload()
    {
        (int code, string output, _) = Run("bench", "--device", "cpu", "--workload", "mlp", "--batch", "4", "--steps", "1", "--cpu-steps", "1");
        Assert.Equal(0, code);
        string json = Array.Find(output.Split('\n'), l => l.StartsWith('{'))!;
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        Assert.Equal("mlp", root.GetProperty("workload").GetString());
        Assert.Equal(4, root.GetProperty("batch").GetInt32());
        Assert.True(root.GetProperty("gpu_ms_per_step").GetDouble() > 0);
        Assert.True(root.GetProperty("cpu_ms_per_step").GetDouble() > 0);
        Assert.Equal(4 * 1000 / root.GetProperty("gpu_ms_per_step").GetDouble(), root.GetProperty("gpu_examples_per_s").GetDouble(), 0.5);
    }

    [Theory]
    [InlineData("unknown option '--nope'", "bench", "--nope", "1")]
    [InlineData("--workload is 'resnet'", "bench", "--workload", "resnet")]
    [InlineData("--steps is '0'", "bench", "--steps", "0")]
    [InlineData("--device is 'tpu'", "info", "--device", "tpu")]
    [InlineData("--gemm is 'winograd'", "info", "--device", "cpu", "--gemm", "winograd")]
    [InlineData("--models names 'Nope'", "check", "--models", "Nope")]
    [InlineData("no GPU training for 'alexnet'", "train", "alexnet")]
    [InlineData("--lr is '-1'", "train", "mlp", "--lr", "-1")]
    [InlineData("unknown command 'fit'", "fit")]
    public void BadCommandLinesAreOneClearLine(string message, params string[] args)
    {
        (int code, string output, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Equal("", output.Trim());
    }
}
