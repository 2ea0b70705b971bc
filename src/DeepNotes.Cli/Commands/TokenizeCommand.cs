using System.Globalization;
using System.Text;
using DeepNotes.Text;

namespace DeepNotes.Cli.Commands;

/// <summary>
/// <c>deepnotes tokenize</c>: how one text splits into tokens and which ids they get, one token per line
/// (id, then the token's text quoted), under a line naming the tokenizer and the count. BPE (GPT-2's, the
/// default) needs no data; <c>--words</c> and <c>--chars</c> take their vocabulary from a corpus (the
/// shipped fortunes unless <c>--data</c>), words at <c>train skipgram</c>'s min-count, so the ids are the
/// ids a word2vec model trained on it uses.
/// </summary>
internal static class TokenizeCommand
{
    public static int Run(TokenizeOptions o, CliContext context)
    {
        List<(int Id, string Token, bool Unknown)> tokens = new();
        string header;
        switch (o.Kind)
        {
            case TokenizerKind.Bpe:
            {
                BpeTokenizer bpe = BpeTokenizer.ForModel(o.BpeModel ?? BpeTokenizer.Gpt2);
                foreach (int id in bpe.Encode(o.Text)) tokens.Add((id, bpe.Decode([id]), false));
                header = TrainCommand.Invariant($"{bpe.Model} (byte-level BPE, ids 0 to {bpe.VocabularySize - 1:N0})");
                break;
            }
            case TokenizerKind.Words:
            {
                string corpus = Word2VecCommand.FindCorpus(o.DataPath, context.WorkingDirectory);
                Vocabulary vocabulary = Read(corpus, path => Vocabulary.FromFile(path, TokenizeOptions.WordMinCount));
                WordTokenizer words = WordTokenizer.Default;
                foreach (string word in words.Tokenize(o.Text))
                {
                    int id = vocabulary.GetId(word);
                    tokens.Add((id, word, id == Vocabulary.UnknownId));
                }
                header = TrainCommand.Invariant(
                    $"words ({vocabulary.Count:N0} ids: the words of {corpus} seen {TokenizeOptions.WordMinCount}+ times, <unk> = 0)");
                break;
            }
            default:
            {
                string corpus = Word2VecCommand.FindCorpus(o.DataPath, context.WorkingDirectory);
                CharTokenizer chars = Read(corpus, path => CharTokenizer.FromFile(path));
                int[] ids = chars.Encode(o.Text);
                int at = 0;
                foreach (int id in ids)
                {
                    Rune.DecodeFromUtf16(o.Text.AsSpan(at), out Rune rune, out int used);
                    tokens.Add((id, o.Text.Substring(at, used), id == Vocabulary.UnknownId));
                    at += used;
                }
                header = TrainCommand.Invariant($"characters ({chars.Vocabulary.Count:N0} ids: the characters of {corpus}, <unk> = 0)");
                break;
            }
        }

        TextWriter w = context.Out;
        w.WriteLine(TrainCommand.Invariant($"{header}: {tokens.Count:N0} token{(tokens.Count == 1 ? "" : "s")}"));
        int width = 1;
        foreach ((int id, _, _) in tokens) width = Math.Max(width, id.ToString(CultureInfo.InvariantCulture).Length);
        foreach ((int id, string token, bool unknown) in tokens)
            w.WriteLine(TrainCommand.Invariant($"{id.ToString(CultureInfo.InvariantCulture).PadLeft(width)}  {Quote(token)}{(unknown ? "  <unk>" : "")}"));
        return ExitCodes.Ok;
    }

    private static T Read<T>(string corpus, Func<string, T> read)
    {
        try
        {
            return read(corpus);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the corpus '{corpus}': {e.Message}");
        }
    }

    /// <summary>A token in double quotes, so leading spaces show; quotes, backslashes, control characters and unpaired surrogates escaped.</summary>
    internal static string Quote(string token)
    {
        StringBuilder s = new(token.Length + 2);
        s.Append('"');
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (char.IsHighSurrogate(c) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1]))
            {
                s.Append(c).Append(token[++i]);
                continue;
            }
            switch (c)
            {
                case '"': s.Append("\\\""); break;
                case '\\': s.Append("\\\\"); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                case '\t': s.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c)) s.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else s.Append(c);
                    break;
            }
        }
        return s.Append('"').ToString();
    }
}
