using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ECert.Core.Bulk;

namespace ECert.Server.Bulk;

/// <summary>
/// The card numbers a bulk issuance job has taken, so that a card gets one certificate however
/// often the bureau's file names it: the first record of a card number is issued, a later one is
/// rejected with the line of the first (even if the first failed to sign: the same answer whether
/// or not the job was interrupted). A resumed job reloads the cards its earlier runs took.
/// Each card is held as the first 128 bits of the SHA-256 of its number: about 40 bytes a card in
/// memory whatever the number's length (50 MB for 1.26 million cards), and two of ten million card
/// numbers sharing those bits has a probability below 10^-24.
/// </summary>
internal sealed class JobCards
{
    private readonly Dictionary<UInt128, long> _lines = [];

    /// <summary>The cards the job's earlier runs took before its checkpoint line.</summary>
    public static JobCards Load(IBulkStore store, long jobId, long checkpointLine)
    {
        var cards = new JobCards();
        store.ForEachTakenCard(jobId, checkpointLine, (card, line) => cards._lines.TryAdd(Key(card), line));
        return cards;
    }

    /// <summary>Takes <paramref name="card"/> for <paramref name="line"/>; if an earlier line has it, that line's number and nothing taken.</summary>
    public long? Take(string card, long line)
    {
        var key = Key(card);
        if (_lines.TryGetValue(key, out var first)) return first;
        _lines.Add(key, line);
        return null;
    }

    private static UInt128 Key(string card)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(card), digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}
