using System.Buffers;
using System.Text.Json;
using ECert.Core.Bulk;

namespace ECert.Storage;

/// <summary>
/// The reservations of a bulk batch as the bulk_batches row holds them until the batch is
/// committed: <c>[{"serial","line","card","subject","srn","partition"}, ...]</c> in the batch's order.
/// </summary>
internal static class BatchJson
{
    /// <summary>Writes the reservations as UTF-8 JSON into <paramref name="buffer"/> (cleared first), which the caller may reuse.</summary>
    public static ReadOnlySpan<byte> Write(IReadOnlyList<BulkReservation> reservations, IReadOnlyList<ReservedSlot> slots, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < reservations.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("serial", reservations[i].SerialHex);
                writer.WriteNumber("line", reservations[i].Line);
                writer.WriteString("card", reservations[i].CardNumber);
                writer.WriteString("subject", reservations[i].SubjectDisplay);
                writer.WriteString("srn", slots[i].Srn);
                writer.WriteNumber("partition", slots[i].Partition);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan;
    }

    public static (List<BulkReservation> Reservations, List<ReservedSlot> Slots) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var reservations = new List<BulkReservation>();
        var slots = new List<ReservedSlot>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            reservations.Add(new BulkReservation(item.GetProperty("serial").GetString()!, item.GetProperty("line").GetInt64(),
                item.GetProperty("card").GetString()!, item.GetProperty("subject").GetString()!));
            slots.Add(new ReservedSlot(item.GetProperty("srn").GetString()!, item.GetProperty("partition").GetInt32()));
        }
        return (reservations, slots);
    }
}
