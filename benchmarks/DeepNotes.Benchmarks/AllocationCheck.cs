using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace DeepNotes.Benchmarks;

/// <summary>
/// <c>-- --alloc-check [filter]</c>: runs every [Benchmark] method whose Type.Method name contains the filter
/// 200 times after a warm-up of 200 calls, and prints the bytes allocated by the calling thread
/// (GC.GetAllocatedBytesForCurrentThread) and by the whole process (GC.GetTotalAllocatedBytes(precise)).
/// MemoryDiagnoser reports the process-wide figure, so a one-off allocation by a runtime thread
/// (tiered JIT, timers) during its measured iteration shows up there, divided by the operation count.
/// </summary>
internal static class AllocationCheck
{
    public static void Run(string filter)
    {
        const int Calls = 200;
        foreach (Type type in typeof(AllocationCheck).Assembly.GetTypes()
                     .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(IsBenchmark))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (MethodInfo method in type.GetMethods().Where(IsBenchmark))
            {
                string name = type.Name + "." + method.Name;
                if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
                object instance = Activator.CreateInstance(type)!;
                PropertyInfo? model = type.GetProperty("Model");
                model?.SetValue(instance, "Mlp");
                type.GetProperty("Threads")?.SetValue(instance, 2);   // [Params(1, 2)]: the split kernels and the pool must not allocate either
                Invoke(type, instance, typeof(GlobalSetupAttribute));
                Action call = MakeCall(method, instance);
                for (int i = 0; i < Calls; i++) call();
                long thread0 = GC.GetAllocatedBytesForCurrentThread();
                long total0 = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Calls; i++) call();
                long thread = GC.GetAllocatedBytesForCurrentThread() - thread0;
                long total = GC.GetTotalAllocatedBytes(precise: true) - total0;
                Console.WriteLine($"{name,-40} thread: {thread / (double)Calls,8:F1} B/call   process: {total / (double)Calls,8:F1} B/call");
                Invoke(type, instance, typeof(GlobalCleanupAttribute));
            }
        }
    }

    /// <summary>A direct (non-reflective, non-boxing) call of the benchmark method.</summary>
    private static Action MakeCall(MethodInfo method, object instance)
    {
        if (method.ReturnType == typeof(void)) return method.CreateDelegate<Action>(instance);
        if (method.ReturnType == typeof(float))
        {
            Func<float> f = method.CreateDelegate<Func<float>>(instance);
            return () => f();
        }
        if (!method.ReturnType.IsValueType)
        {
            Func<object> f = method.CreateDelegate<Func<object>>(instance);
            return () => f();
        }
        throw new NotSupportedException($"{method.Name} returns {method.ReturnType}");
    }

    private static bool IsBenchmark(MethodInfo m) => m.GetCustomAttribute<BenchmarkAttribute>() is not null;

    private static void Invoke(Type type, object instance, Type attribute)
    {
        foreach (MethodInfo m in type.GetMethods().Where(m => m.GetCustomAttribute(attribute) is not null))
            m.Invoke(instance, null);
    }
}
