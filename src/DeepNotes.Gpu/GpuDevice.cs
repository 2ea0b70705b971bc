using System;
using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace DeepNotes.Gpu;

/// <summary>Which ILGPU accelerator a <see cref="GpuDevice"/> opens.</summary>
public enum GpuKind
{
    /// <summary>CUDA when a CUDA device is present, otherwise ILGPU's CPU accelerator (or DEEPNOTES_GPU).</summary>
    Auto,
    /// <summary>ILGPU's CPU accelerator: runs the same kernels on the host, for tests and machines without a GPU.</summary>
    Cpu,
    /// <summary>The first CUDA device; opening fails with a clear message where there is none.</summary>
    Cuda,
}

/// <summary>Which kernel computes a device's products that do not go to cuBLAS (plain GEMMs, batched ones, every convolution pass).</summary>
public enum GemmKernel
{
    /// <summary>
    /// The tiled shared-memory kernel: a group stages blocks of both operands in shared memory between barriers.
    /// What every GPU runs (and CUDA where cuBLAS does not serve a product); the default everywhere but the CPU
    /// accelerator.
    /// </summary>
    Tiled,
    /// <summary>
    /// A barrier-free kernel: each thread reads its operands straight from device memory and accumulates a 4×4 block of
    /// the product. The default on ILGPU's CPU accelerator, whose group threads are OS threads meeting at every barrier
    /// (the tiled kernel runs a convolution there tens of times slower); the same operand loaders and epilogues, so
    /// convolution and split products run through it unchanged.
    /// </summary>
    Direct,
}

/// <summary>
/// One ILGPU context and accelerator, and the kernels loaded on it. Library kernels are compiled and
/// loaded once per device, the first time they are used (<see cref="Kernel{TDelegate}"/>), and reused
/// by every later launch; a generated GPU plan loads its own fused kernels once, when it is created.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private readonly ConcurrentDictionary<object, object> _kernels = new();
    private readonly ConcurrentDictionary<object, IDisposable> _resources = new();
    private bool _disposed;

    private GpuDevice(Context context, Accelerator accelerator, GemmKernel? gemm)
    {
        _context = context;
        Accelerator = accelerator;
        Gemm = gemm ?? (accelerator.AcceleratorType == AcceleratorType.CPU ? GemmKernel.Direct : GemmKernel.Tiled);
        if (!IsCuda) CuBlasUnavailable = "not a CUDA device";
        else if (Environment.GetEnvironmentVariable("DEEPNOTES_CUBLAS")?.Trim().ToLowerInvariant() is "off" or "0") CuBlasUnavailable = "DEEPNOTES_CUBLAS=off";
    }

    /// <summary>The ILGPU accelerator every kernel of this device runs on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Whether the accelerator is a CUDA GPU (cuBLAS is used for GEMM there).</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>
    /// Why cuBLAS does not serve this device's GEMMs (null while it does or has not been needed yet): not CUDA,
    /// DEEPNOTES_CUBLAS=off, or the library failed to load. The tiled ILGPU GEMM runs instead.
    /// </summary>
    public string? CuBlasUnavailable { get; internal set; }

    /// <summary>
    /// The ILGPU kernel for the products cuBLAS does not compute: <see cref="GemmKernel.Direct"/> on the CPU accelerator,
    /// <see cref="GemmKernel.Tiled"/> elsewhere, unless <see cref="Open"/> was told otherwise (or DEEPNOTES_GEMM).
    /// </summary>
    public GemmKernel Gemm { get; }

    private string KernelName => Gemm == GemmKernel.Tiled ? "tiled ILGPU GEMM" : "direct (barrier-free) ILGPU GEMM";

    /// <summary>
    /// What computes this device's matrix products, for reports. On CUDA this loads cuBLAS and runs its self-test the
    /// first time (so it names what the products will use).
    /// </summary>
    public string GemmPath => Kernels.Gemm.HasCuBlas(this)
        ? $"cuBLAS{(CuBlasLibrary.Substitute is { } so ? $" ({so})" : "")} (large products), {KernelName} (small batched ones and convolutions)"
        : KernelName;

    /// <summary>The device's name, as ILGPU reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>
    /// Opens a device. <see cref="GpuKind.Auto"/> reads DEEPNOTES_GPU ("cpu" or "cuda") and otherwise
    /// takes the first CUDA device, falling back to the CPU accelerator. <paramref name="gemm"/> picks the
    /// GEMM kernel; null reads DEEPNOTES_GEMM ("tiled" or "direct") and otherwise takes the device's default
    /// (<see cref="Gemm"/>).
    /// </summary>
    public static GpuDevice Open(GpuKind kind = GpuKind.Auto, GemmKernel? gemm = null)
    {
        gemm ??= GemmFromEnvironment(Environment.GetEnvironmentVariable("DEEPNOTES_GEMM"));
        if (gemm is { } chosen && !Enum.IsDefined(chosen)) throw new ArgumentOutOfRangeException(nameof(gemm), $"unknown GEMM kernel {(int)chosen}");
        if (kind == GpuKind.Auto)
        {
            string? env = Environment.GetEnvironmentVariable("DEEPNOTES_GPU");
            kind = env?.Trim().ToLowerInvariant() switch
            {
                null or "" or "auto" => GpuKind.Auto,
                "cpu" => GpuKind.Cpu,
                "cuda" => GpuKind.Cuda,
                _ => throw new ArgumentException($"DEEPNOTES_GPU is '{env}': expected cpu, cuda or auto"),
            };
        }

        Context context = Context.Create(builder => builder.CPU().Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            Device? device = null;
            if (kind is GpuKind.Auto or GpuKind.Cuda)
            {
                foreach (Device d in context.GetCudaDevices()) { device = d; break; }
                if (device is null && kind == GpuKind.Cuda)
                    throw new InvalidOperationException("no CUDA device was found (DEEPNOTES_GPU=cuda or GpuKind.Cuda asked for one)");
            }
            device ??= context.GetCPUDevice(0);
            return new GpuDevice(context, device.CreateAccelerator(context), gemm);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The kernel a DEEPNOTES_GEMM value asks for: null (the device's default) for none, "" or "auto".</summary>
    internal static GemmKernel? GemmFromEnvironment(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "tiled" => GemmKernel.Tiled,
        "direct" => GemmKernel.Direct,
        _ => throw new ArgumentException($"DEEPNOTES_GEMM is '{value}': expected tiled, direct or auto"),
    };

    /// <summary>
    /// ILGPU's CPU accelerator simulating <paramref name="device"/>'s group and warp sizes: tests use
    /// <see cref="CPUDevice.Nvidia"/> to run the kernels in the configuration a GPU gets (256-thread
    /// groups) rather than the default CPU accelerator's 16-thread groups, with the tiled GEMM a GPU runs.
    /// </summary>
    internal static GpuDevice OpenSimulated(CPUDevice device)
    {
        Context context = Context.Create(builder => builder.CPU().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            return new GpuDevice(context, device.CreateAccelerator(context), GemmKernel.Tiled);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The kernel registered under <paramref name="key"/> on this device, loaded by <paramref name="load"/>
    /// the first time it is asked for. Library kernel classes keep one static key object per kernel.
    /// </summary>
    public TDelegate Kernel<TDelegate>(object key, Func<Accelerator, TDelegate> load) where TDelegate : Delegate
    {
        if (_kernels.TryGetValue(key, out object? kernel)) return (TDelegate)kernel;
        return (TDelegate)_kernels.GetOrAdd(key, _ => load(Accelerator));
    }

    /// <summary>How many library kernels this device has compiled and loaded (each once, on first use).</summary>
    internal int LoadedKernels => _kernels.Count;

    /// <summary>
    /// A per-device resource (a library handle such as cuBLAS's, a workspace) registered under
    /// <paramref name="key"/>, made by <paramref name="create"/> the first time it is asked for and
    /// disposed with the device, before its accelerator.
    /// </summary>
    internal T Resource<T>(object key, Func<GpuDevice, T> create) where T : class, IDisposable
    {
        if (_resources.TryGetValue(key, out IDisposable? resource)) return (T)resource;
        lock (_resources) return (T)_resources.GetOrAdd(key, _ => create(this));
    }

    /// <summary>Waits until every launched kernel has finished.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Accelerator.Synchronize();
        foreach (IDisposable resource in _resources.Values) resource.Dispose();
        _resources.Clear();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
