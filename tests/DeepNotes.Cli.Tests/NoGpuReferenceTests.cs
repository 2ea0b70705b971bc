using System.Linq;
using System.Reflection;

namespace DeepNotes.Cli.Tests;

/// <summary>
/// The NativeAOT CLI must not load the GPU backend: ILGPU generates code at run time and throws under NativeAOT,
/// and a reference would also drag its trim warnings into the publish. Walks every DeepNotes assembly the CLI
/// references, transitively.
/// </summary>
public sealed class NoGpuReferenceTests
{
    [Fact]
    public void TheCliReachesNeitherDeepNotesGpuNorIlgpu()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>();
        pending.Push(typeof(Program).Assembly);
        while (pending.Count > 0)
        {
            Assembly assembly = pending.Pop();
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                string name = reference.Name!;
                Assert.False(name.StartsWith("ILGPU", StringComparison.Ordinal) || name.StartsWith("DeepNotes.Gpu", StringComparison.Ordinal),
                    $"{assembly.GetName().Name} references {name}");
                if (name.StartsWith("DeepNotes", StringComparison.Ordinal) && seen.Add(name)) pending.Push(Assembly.Load(reference));
            }
        }
        Assert.Contains("DeepNotes.Models", seen);
        Assert.Contains("DeepNotes.Runtime", seen);
    }
}
