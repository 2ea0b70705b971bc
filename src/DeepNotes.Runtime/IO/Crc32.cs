namespace DeepNotes;

/// <summary>
/// CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF): the
/// checksum of gzip trailers and PNG chunks. Table-driven, one byte per step; the check value of the
/// ASCII bytes "123456789" is 0xCBF43926.
/// </summary>
public static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The CRC-32 of the bytes whose CRC-32 is <paramref name="crc"/> followed by <paramref name="data"/>
    /// (zlib's <c>crc32(crc, buf, len)</c>): start from 0 and append piece by piece.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        uint c = ~crc;
        foreach (byte b in data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[] BuildTable()
    {
        uint[] table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
