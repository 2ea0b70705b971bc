using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Ir;

namespace DeepNotes.Generators.Passes;

/// <summary>
/// Where every intermediate lives in the one arena. Liveness over the schedule gives each buffer
/// an interval [definition, last use]; buffers whose intervals do not overlap may share memory.
/// An element-wise op whose input dies at that op writes over it in place (the two are one buffer).
/// Placement is greedy by size (largest first, lowest offset that fits), as TFLite's arena planner
/// does. Per-example buffers are planned in floats per batch row (the batch is only known at run
/// time); unbatched ones (losses, sums) in a small fixed region after them.
/// </summary>
internal sealed class MemoryPlan
{
    public Dictionary<Value, int> Offsets { get; } = new();
    public int PerRow { get; set; }
    public int Fixed { get; set; }
    public int IntermediatesPerRow { get; set; }
    public int IntermediatesFixed { get; set; }
    /// <summary>Inference only: the output is a view of the input (Flatten/Dropout of the input), so Predict copies.</summary>
    public bool OutputNeedsCopy { get; set; }
    /// <summary>Values whose storage is elsewhere this plan: inference dropout is the identity.</summary>
    public Dictionary<Value, Value> Aliases { get; } = new();

    public Value Root(Value v)
    {
        while (true)
        {
            if (Aliases.TryGetValue(v, out Value? a)) { v = a; continue; }
            if (v.AliasOf is { } b) { v = b; continue; }
            return v;
        }
    }
}

internal static class MemoryPlanner
{
    private sealed class Group
    {
        public readonly List<Value> Members = new();
        public int Start = int.MaxValue, End = -1, Size;
        public bool Batched;
        public bool IsOutput;
        public int Offset;
    }

    public static MemoryPlan Plan(Graph g, IReadOnlyList<Node> schedule, bool inference)
    {
        var plan = new MemoryPlan();
        if (inference)
            foreach (Node n in schedule)
                if (n.Kind == NodeKind.Dropout) plan.Aliases[n.Output!] = n.Inputs[0];

        var groupOf = new Dictionary<Value, Group>();
        Group GroupOf(Value root)
        {
            if (!groupOf.TryGetValue(root, out Group? grp))
            {
                grp = new Group { Batched = root.Shape.Batched, Size = root.Shape.Size };
                grp.Members.Add(root);
                groupOf[root] = grp;
            }
            return grp;
        }
        bool InArena(Value root) => root.Storage == StorageKind.Arena;

        for (int i = 0; i < schedule.Count; i++)
        {
            Node n = schedule[i];
            if (inference && n.Kind == NodeKind.Dropout) continue;
            int def = 2 * i + 1;
            for (int k = 0; k < n.Inputs.Length; k++)
            {
                Value root = plan.Root(n.Inputs[k]);
                if (!InArena(root)) continue;
                Group grp = GroupOf(root);
                bool inPlace = k == 0 && n.InPlace && n.Output is { } o && IsSameSize(plan.Root(o), root) && !IsUsedLater(plan, schedule, i, root, inference);
                grp.End = System.Math.Max(grp.End, inPlace ? 2 * i : def);
                grp.Start = System.Math.Min(grp.Start, def);
            }
            bool keepsStatistics = !(inference && n.Kind == NodeKind.BatchNorm); // inference uses the running statistics
            foreach (Value? outv in new[] { n.Output, keepsStatistics ? n.Aux : null, keepsStatistics ? n.Aux2 : null, n.Scratch })
            {
                if (outv is null) continue;
                Value root = plan.Root(outv);
                if (!InArena(root) || root != outv) continue;
                Group grp = GroupOf(root);
                grp.Start = System.Math.Min(grp.Start, def);
                grp.End = System.Math.Max(grp.End, def);
                // In place: share input 0's buffer when it dies here.
                if (outv == n.Output && n.InPlace && n.Inputs.Length > 0)
                {
                    Value inRoot = plan.Root(n.Inputs[0]);
                    if (InArena(inRoot) && groupOf.TryGetValue(inRoot, out Group? inGroup) && inGroup != grp
                        && IsSameSize(root, inRoot) && inGroup.End == 2 * i)
                    {
                        foreach (Value m in grp.Members) { inGroup.Members.Add(m); groupOf[m] = inGroup; }
                        inGroup.End = System.Math.Max(inGroup.End, grp.End);
                    }
                }
            }
        }

        var groups = groupOf.Values.Distinct().ToList();
        foreach (Group grp in groups)
        {
            if (grp.Batched) plan.IntermediatesPerRow += grp.Members.Sum(m => m.Shape.Size);
            else plan.IntermediatesFixed += grp.Members.Sum(m => m.Shape.Size);
        }

        if (inference && g.Output is not null)
        {
            Value root = plan.Root(g.Output);
            if (root.Storage == StorageKind.Input) plan.OutputNeedsCopy = true;
            else if (groupOf.TryGetValue(root, out Group? outGroup)) outGroup.IsOutput = true;
        }

        plan.PerRow = Place(groups.Where(x => x.Batched && !x.IsOutput).ToList());
        plan.Fixed = Place(groups.Where(x => !x.Batched && !x.IsOutput).ToList());
        foreach (Group grp in groups)
            foreach (Value m in grp.Members)
                plan.Offsets[m] = grp.IsOutput ? -1 : grp.Offset;
        return plan;
    }

    private static bool IsSameSize(Value a, Value b) => a.Shape.Batched == b.Shape.Batched && a.Shape.Size == b.Shape.Size;

    private static bool IsUsedLater(MemoryPlan plan, IReadOnlyList<Node> schedule, int index, Value root, bool inference)
    {
        for (int j = index + 1; j < schedule.Count; j++)
        {
            if (inference && schedule[j].Kind == NodeKind.Dropout) continue;
            foreach (Value v in schedule[j].Inputs)
                if (plan.Root(v) == root) return true;
        }
        // A value read twice by the same node (x * x) is not in place either.
        return schedule[index].Inputs.Skip(1).Any(v => plan.Root(v) == root);
    }

    /// <summary>Greedy by size: returns the region's length.</summary>
    private static int Place(List<Group> groups)
    {
        var placed = new List<Group>();
        int total = 0;
        foreach (Group grp in groups.OrderByDescending(x => x.Size).ThenBy(x => x.Start))
        {
            int offset = 0;
            foreach (Group other in placed.Where(o => o.Start <= grp.End && grp.Start <= o.End).OrderBy(o => o.Offset))
            {
                if (offset + grp.Size <= other.Offset) break;
                offset = System.Math.Max(offset, other.Offset + other.Size);
            }
            grp.Offset = offset;
            placed.Add(grp);
            total = System.Math.Max(total, offset + grp.Size);
        }
        return total;
    }
}
