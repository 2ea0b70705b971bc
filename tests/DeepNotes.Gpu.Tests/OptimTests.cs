using ILGPU;
using ILGPU.Runtime;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class OptimTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    [Theory]
    [InlineData(0.9f, 0.01f)]
    [InlineData(0f, 0.01f)]
    [InlineData(0.5f, 0f)]
    [InlineData(0f, 0f)]
    public void ThreeSgdStepsMatchDeepNotesSgd(float momentum, float weightDecay)
    {
        const int n = 45;   // a weight tensor: decayed
        var tensors = new[] { new TensorInfo("w", 0, [5, 9], TensorRole.Weight) };
        var sgd = new Sgd(0.1f, momentum, weightDecay);
        float[] w = Data.Uniform(n, 81), v = new float[n];
        ArrayView<float> gw = gpu.Upload(w), gv = gpu.Zeros(n), gg = gpu.Zeros(n);
        for (int step = 0; step < 3; step++)
        {
            float[] g = Data.Uniform(n, 82 + step);
            sgd.Update(w, g, v, tensors);
            gg.CopyFromCPU(g);
            Twin.Optim.Sgd(gpu.Device, gw, gg, gv, 0.1f, momentum, weightDecay);
        }
        Data.Close(w, gpu.Download(gw), 1e-7f, "w");
        Data.Close(v, gpu.Download(gv), 1e-7f, "v");
    }
}
