using System.Globalization;

namespace DeepNotes.Cli;

/// <summary>
/// A one-line progress bar redrawn in place with '\r', for a terminal. It formats into a char buffer
/// allocated once and redraws only when a cell fills, so updating it every step allocates nothing.
/// </summary>
internal sealed class ProgressBar
{
    private const int Cells = 30;
    private readonly TextWriter _writer;
    private readonly char[] _line = new char[128];
    private int _epoch, _epochs, _total, _drawnCells = -1;

    public ProgressBar(TextWriter writer) => _writer = writer;

    public void Start(int epoch, int epochs, int total)
    {
        _epoch = epoch;
        _epochs = epochs;
        _total = Math.Max(total, 1);
        _drawnCells = -1;
        Update(0, double.NaN);
    }

    public void Update(int done, double loss)
    {
        int cells = (int)((long)done * Cells / _total);
        if (cells == _drawnCells && done != _total) return;
        _drawnCells = cells;

        Span<char> line = _line;
        int n = 0;
        Append(line, ref n, "\repoch ");
        AppendInt(line, ref n, _epoch);
        line[n++] = '/';
        AppendInt(line, ref n, _epochs);
        Append(line, ref n, " [");
        for (int i = 0; i < Cells; i++) line[n++] = i < cells ? '#' : '.';
        Append(line, ref n, "] ");
        AppendInt(line, ref n, done);
        line[n++] = '/';
        AppendInt(line, ref n, _total);
        if (!double.IsNaN(loss))
        {
            Append(line, ref n, "  loss ");
            if (loss.TryFormat(line[n..], out int written, "F4", CultureInfo.InvariantCulture)) n += written;
        }
        _writer.Write(_line, 0, n);
        _writer.Flush();
    }

    /// <summary>Erases the bar, leaving the cursor at the start of the empty line.</summary>
    public void Clear()
    {
        Span<char> line = _line;
        int n = 0;
        line[n++] = '\r';
        while (n < 100) line[n++] = ' ';
        line[n++] = '\r';
        _writer.Write(_line, 0, n);
        _writer.Flush();
    }

    private static void Append(Span<char> line, ref int n, string text)
    {
        text.CopyTo(line[n..]);
        n += text.Length;
    }

    private static void AppendInt(Span<char> line, ref int n, int value)
    {
        if (value.TryFormat(line[n..], out int written, default, CultureInfo.InvariantCulture)) n += written;
    }
}
