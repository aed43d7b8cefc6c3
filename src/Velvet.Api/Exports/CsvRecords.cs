using System.Buffers;

namespace Velvet.Api.Exports;

/// <summary>
/// Picks records out of an export file as bytes: the header (when the export has one), then records
/// offset..offset+limit. A quoted line break stays inside its record. In UTF-8 a quote and a line break are single
/// bytes that never occur inside a longer character, so records are found without decoding the file.
/// </summary>
internal static class CsvRecords
{
    public static async Task CopyAsync(Stream input, Stream output, bool hasHeader, int offset, int? limit, CancellationToken ct,
        int bufferSize = 64 * 1024)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            var inQuotes = false;
            long index = hasHeader ? -1 : 0; // -1 is the header
            var end = limit is { } l ? (long)offset + l : long.MaxValue;
            bool Wanted() => index == -1 || (index >= offset && index < end);
            int read;
            while ((read = await input.ReadAsync(buffer.AsMemory(0, bufferSize), ct)) > 0)
            {
                // Wanted bytes are written in runs, not record by record (each write to a response is a send of its
                // own): the run not yet written starts at pending, the current record at from.
                var from = 0;
                var pending = -1;
                async ValueTask WriteRunAsync(int until)
                {
                    if (pending >= 0 && until > pending)
                    {
                        await output.WriteAsync(buffer.AsMemory(pending, until - pending), ct);
                    }

                    pending = -1;
                }

                for (var i = 0; i < read; i++)
                {
                    var rest = buffer.AsSpan(i, read - i);
                    var next = inQuotes ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
                    if (next < 0)
                    {
                        break;
                    }

                    i += next;
                    if (buffer[i] == (byte)'"')
                    {
                        inQuotes = !inQuotes;
                        continue;
                    }

                    if (Wanted())
                    {
                        pending = pending < 0 ? from : pending;
                    }
                    else
                    {
                        await WriteRunAsync(from);
                    }

                    from = i + 1;
                    index++;
                    if (index >= end)
                    {
                        await WriteRunAsync(from);
                        return;
                    }
                }

                // The record that goes on in the next buffer (or the last one, without a line break).
                if (Wanted())
                {
                    pending = pending < 0 ? from : pending;
                    await WriteRunAsync(read);
                }
                else
                {
                    await WriteRunAsync(from);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
