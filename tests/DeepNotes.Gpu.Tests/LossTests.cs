using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class LossTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Rows = 7, Classes = 5;
    private static readonly int[] s_labels = [0, 4, 2, 2, 1, 3, 4];
    private const float Scale = 0.5f;

    [Fact]
    public void CrossEntropyMatchesTheCpu()
    {
        float[] logits = Data.Uniform(Rows * Classes, 31, -3f, 3f), p = new float[logits.Length], d = new float[logits.Length];
        float loss = Cpu.Losses.CrossEntropyForward(p, logits, s_labels, Rows, Classes);
        Cpu.Losses.CrossEntropyBackward(d, p, s_labels, Rows, Classes, Scale);

        ArrayView<float> gloss = gpu.Zeros(1), gp = gpu.Zeros(p.Length), gd = gpu.Zeros(d.Length);
        ArrayView<int> labels = gpu.Upload(s_labels);
        Twin.Losses.CrossEntropyForward(gpu.Device, gloss, gp, gpu.Upload(logits), labels, Rows, Classes);
        Twin.Losses.CrossEntropyBackward(gpu.Device, gd, gp, labels, Rows, Classes, gpu.Upload(new[] { Scale }));
        Data.Close([loss], gpu.Download(gloss), what: "loss");
        Data.Close(p, gpu.Download(gp), what: "p");
        Data.Close(d, gpu.Download(gd), what: "dlogits");
    }

    [Fact]
    public void NllMatchesTheCpu()
    {
        float[] logp = Data.Uniform(Rows * Classes, 32, -5f, 0f), d = new float[logp.Length];
        float loss = Cpu.Losses.NllForward(logp, s_labels, Rows, Classes);
        Cpu.Losses.NllBackward(d, s_labels, Rows, Classes, Scale);

        ArrayView<float> gloss = gpu.Zeros(1), gd = gpu.Zeros(d.Length, 7f);
        ArrayView<int> labels = gpu.Upload(s_labels);
        Twin.Losses.NllForward(gpu.Device, gloss, gpu.Upload(logp), labels, Rows, Classes);
        Twin.Losses.NllBackward(gpu.Device, gd, labels, Rows, Classes, gpu.Upload(new[] { Scale }));
        Data.Close([loss], gpu.Download(gloss), what: "loss");
        Data.Close(d, gpu.Download(gd), what: "dlogp");
    }

    [Theory]
    [InlineData(false, 13)]
    [InlineData(false, 1001)]   // more elements than a group has threads
    [InlineData(true, 13)]
    [InlineData(true, 1001)]
    public void MseAndBinaryCrossEntropyMatchTheCpu(bool binary, int count)
    {
        float[] values = Data.Uniform(count, 33, -4f, 4f), target = Data.Uniform(count, 34, 0f, 1f), d = new float[count];
        float loss = binary ? Cpu.Losses.BinaryCrossEntropyForward(values, target, count) : Cpu.Losses.MseForward(values, target, count);
        if (binary) Cpu.Losses.BinaryCrossEntropyBackward(d, values, target, count, Scale);
        else Cpu.Losses.MseBackward(d, values, target, count, Scale);

        ArrayView<float> gloss = gpu.Zeros(1), gv = gpu.Upload(values), gt = gpu.Upload(target), gd = gpu.Zeros(count), scale = gpu.Upload(new[] { Scale });
        if (binary)
        {
            Twin.Losses.BinaryCrossEntropyForward(gpu.Device, gloss, gv, gt, count);
            Twin.Losses.BinaryCrossEntropyBackward(gpu.Device, gd, gv, gt, count, scale);
        }
        else
        {
            Twin.Losses.MseForward(gpu.Device, gloss, gv, gt, count);
            Twin.Losses.MseBackward(gpu.Device, gd, gv, gt, count, scale);
        }
        Data.Close([loss], gpu.Download(gloss), what: "loss");
        Data.Close(d, gpu.Download(gd), what: "gradient");
    }

    [Fact]
    public void TheMeanLossIsTheSameEveryRun()
    {
        float[] values = Data.Uniform(5000, 35), target = Data.Uniform(5000, 36);
        ArrayView<float> gloss = gpu.Zeros(1), gv = gpu.Upload(values), gt = gpu.Upload(target);
        Twin.Losses.MseForward(gpu.Device, gloss, gv, gt, values.Length);
        float first = gpu.Download(gloss)[0];
        for (int run = 0; run < 3; run++)
        {
            Twin.Losses.MseForward(gpu.Device, gloss, gv, gt, values.Length);
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(gpu.Download(gloss)[0]));
        }
    }
}
