using DeepNotes.Models;

namespace DeepNotes.Gpu.Tests;

/// <summary>The GpuPlan API around the kernel column: the host-side checks (a kernel cannot throw), uploads and downloads.</summary>
public sealed class PlanApiTests(DeviceFixture fixture) : IClassFixture<DeviceFixture>
{
    [Fact]
    public void Bad_batches_lengths_and_labels_throw_before_anything_runs()
    {
        using Mlp.GpuPlan plan = Mlp.GpuPlan.Create(fixture.Device, 4, seed: 3);
        var sgd = new Sgd(0.1f);
        var input = new float[4 * Mlp.InputSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.TrainStep(input, new int[5], 5, sgd));
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.TrainStep(input, new int[4], 0, sgd));
        Assert.Throws<ArgumentException>(() => plan.TrainStep(input.AsSpan(1), new int[4], 4, sgd));
        Assert.Throws<ArgumentException>(() => plan.ComputeGradients(input, new int[3], 4));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => plan.ComputeGradients(input, [0, 1, 10, 2], 4));
        Assert.Contains("label of row 2 is outside [0, 10)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => plan.Predict(input, new float[3 * Mlp.OutputSize], 4));
        Assert.Throws<InvalidOperationException>(() => plan.TrainStep(input, new int[4], 4, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mlp.GpuPlan.Create(fixture.Device, 0));
        Assert.Equal(0, plan.Step); // nothing ran

        // The plan still works after the refused calls.
        plan.ComputeLoss(input, [0, 1, 2, 3], 4);
        Assert.True(float.IsFinite(plan.ReadLoss()));
    }

    [Fact]
    public void Token_ids_and_binary_targets_are_checked_on_the_host()
    {
        using SkipGram.GpuPlan plan = SkipGram.GpuPlan.Create(fixture.Device, 2, seed: 1);
        var contexts = new int[2 * SkipGram.ContextsSize];
        var labels = new float[2 * SkipGram.TargetSize];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => plan.ComputeGradients([1, SkipGram.Vocabulary], contexts, labels, 2));
        Assert.Contains("center[1]", e.Message, StringComparison.Ordinal);
        labels[3] = 1.5f;
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.ComputeGradients([1, 2], contexts, labels, 2));
    }

    [Fact]
    public void Parameters_round_trip_and_the_seed_decides_them()
    {
        using Mlp.GpuPlan a = Mlp.GpuPlan.Create(fixture.Device, 1, seed: 1);
        using Mlp.GpuPlan b = Mlp.GpuPlan.Create(fixture.Device, 1, seed: 2);
        float[] pa = new float[Mlp.ParameterCount], pb = new float[Mlp.ParameterCount];
        a.CopyParametersTo(pa);
        b.CopyParametersTo(pb);
        Assert.False(pa.AsSpan().SequenceEqual(pb));
        Assert.True(pa.AsSpan().SequenceEqual(Mlp.Create(1, seed: 1).Parameters));

        b.CopyParametersFrom(pa);
        b.CopyParametersTo(pb);
        Assert.True(pa.AsSpan().SequenceEqual(pb));
        Assert.Throws<ArgumentException>(() => b.CopyParametersFrom(pa.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => b.CopyGradientsTo(new float[3]));
    }

    [Fact]
    public void Kernels_load_on_first_use_only_and_later_steps_load_none()
    {
        using GpuDevice device = GpuDevice.Open(GpuKind.Cpu);    // its own device: a count no other test moves
        using LeNet5.GpuPlan plan = LeNet5.GpuPlan.Create(device, 2, seed: 5);
        (float[] images, int[] labels) = PlanData.Digits(2);
        var sgd = new Sgd(0.05f, momentum: 0.9f);
        var output = new float[2 * LeNet5.OutputSize];
        void Everything(int batch)
        {
            plan.TrainStep(images.AsSpan(0, batch * LeNet5.InputSize), labels.AsSpan(0, batch), batch, sgd);
            plan.ComputeGradients(images.AsSpan(0, batch * LeNet5.InputSize), labels.AsSpan(0, batch), batch);
            plan.ComputeLoss(images.AsSpan(0, batch * LeNet5.InputSize), labels.AsSpan(0, batch), batch);
            plan.Predict(images.AsSpan(0, batch * LeNet5.InputSize), output.AsSpan(0, batch * LeNet5.OutputSize), batch);
            Assert.True(float.IsFinite(plan.ReadLoss()));
        }
        Everything(2);
        int loaded = device.LoadedKernels;
        Assert.True(loaded > 5, $"{loaded} kernels for LeNet's convolutions, pools, dense layers, loss and SGD");
        Everything(2);
        Everything(1);
        Assert.Equal(loaded, device.LoadedKernels);
        Assert.Equal(3, plan.Step);
    }
}
