using System.Text;

namespace Velvet.Api.Exports;

/// <summary>Copies a window of RFC 4180 records: line breaks inside quotes belong to their record.</summary>
internal static class CsvRecords
{
    public static async Task CopyAsync(TextReader input, TextWriter output, bool hasHeader, int offset, int? limit, CancellationToken ct)
    {
        var buffer = new char[64 * 1024];
        var record = new StringBuilder();
        var inQuotes = false;
        var index = hasHeader ? -1 : 0; // -1 is the header
        var end = limit is { } l ? (long)offset + l : long.MaxValue;
        int read;
        while ((read = await input.ReadAsync(buffer.AsMemory(), ct)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '"')
                {
                    inQuotes = !inQuotes;
                }

                var wanted = index == -1 || (index >= offset && index < end);
                if (wanted)
                {
                    record.Append(c);
                }

                if (c == '\n' && !inQuotes)
                {
                    if (wanted)
                    {
                        await output.WriteAsync(record, ct);
                        record.Clear();
                    }

                    index++;
                    if (index >= end)
                    {
                        return;
                    }
                }
            }
        }

        if (record.Length > 0)
        {
            await output.WriteAsync(record, ct);
        }
    }
}
