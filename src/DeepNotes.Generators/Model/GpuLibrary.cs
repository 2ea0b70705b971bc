using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Model;

/// <summary>
/// The library kernels a referenced DeepNotes.Gpu offers, as "Class.Method" names of the public static methods of
/// the public classes in DeepNotes.Gpu.Kernels (sorted). Equatable, so an edit elsewhere leaves every model cached;
/// null when the compilation does not reference DeepNotes.Gpu (no GPU plans).
/// </summary>
internal sealed record GpuLibrary(EquatableArray<string> Kernels)
{
    public const string AssemblyName = "DeepNotes.Gpu";

    public static GpuLibrary? Find(Compilation compilation)
    {
        foreach (MetadataReference reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol assembly || assembly.Name != AssemblyName) continue;
            var names = new SortedSet<string>(System.StringComparer.Ordinal);
            INamespaceSymbol? kernels = Child(Child(Child(assembly.GlobalNamespace, "DeepNotes"), "Gpu"), "Kernels");
            if (kernels is not null)
            {
                foreach (INamedTypeSymbol type in kernels.GetTypeMembers())
                {
                    if (type.DeclaredAccessibility != Accessibility.Public) continue;
                    foreach (ISymbol member in type.GetMembers())
                        if (member is IMethodSymbol { IsStatic: true, DeclaredAccessibility: Accessibility.Public, MethodKind: MethodKind.Ordinary } method)
                            names.Add(type.Name + "." + method.Name);
                }
            }
            return new GpuLibrary(new List<string>(names).ToEquatableArray());
        }
        return null;
    }

    private static INamespaceSymbol? Child(INamespaceSymbol? parent, string name)
    {
        if (parent is null) return null;
        foreach (INamespaceSymbol ns in parent.GetNamespaceMembers())
            if (ns.Name == name) return ns;
        return null;
    }
}
