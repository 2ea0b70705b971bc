using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU.Runtime.Cuda;

namespace DeepNotes.Gpu;

/// <summary>
/// Lets ILGPU.Algorithms 1.5.3 reach a CUDA 13 cuBLAS. Its CuBlas binds the library by name, libcublas.so.10 to .12 on
/// Linux; CUDA 13 ships libcublas.so.13 with the same C API for what DeepNotes calls (cublasCreate_v2, cublasSetStream_v2,
/// cublasSetPointerMode_v2, cublasSgemm_v2, cublasDestroy_v2). Where .so.12 cannot be loaded and .so.13 can, the import of
/// .so.12 resolves to .so.13. Whether the result is then trusted is not decided here: <see cref="Kernels.Gemm"/> runs a
/// small product through the handle and compares it with the host's before using cuBLAS, and falls back to the ILGPU
/// kernel otherwise.
/// </summary>
internal static class CuBlasLibrary
{
    private static int s_registered;

    /// <summary>The soname the cuBLAS import resolved to in place of libcublas.so.12, or null (not needed, or not loaded).</summary>
    public static string? Substitute { get; private set; }

    /// <summary>Registers the resolver for ILGPU.Algorithms' imports, once per process, on Linux only.</summary>
    public static void AllowNewerSoname()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref s_registered, 1) != 0) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(CuBlas).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // ILGPU.Algorithms has a resolver of its own: its loading stays as it is.
        }
    }

    /// <summary>
    /// The handle for an import of <paramref name="name"/> by ILGPU.Algorithms: libcublas.so.12 itself where it loads,
    /// else libcublas.so.13 where that loads; zero (the runtime's own search) for anything else.
    /// </summary>
    internal static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "libcublas.so.12") return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, out IntPtr handle)) return handle;
        if (!NativeLibrary.TryLoad("libcublas.so.13", out handle)) return IntPtr.Zero;
        Substitute = "libcublas.so.13";
        return handle;
    }
}
