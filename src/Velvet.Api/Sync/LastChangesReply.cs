using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.Json;

namespace Velvet.Api.Sync;

/// <summary>
/// A Last Changes reply, written to the response as the log is read: no list of entries is built. The envelope
/// and its key order are seed 001's (status, timestamp, activity_log, message; next_cursor only for paged
/// requests). Stored data goes out verbatim as a raw JSON value; only contact data naming a venue the viewer
/// does not work at is parsed and filtered (<see cref="ChangeData.WriteForViewer"/>). Everything that can make a
/// reply status 1 is decided before this runs: once the first byte is out the status is 0.
/// Compressed here rather than by middleware so only this endpoint (the large replies) pays for it.
/// </summary>
internal sealed class LastChangesReply : IResult
{
    /// <summary>Pending bytes handed to the response (or compressor) at a time.</summary>
    private const int FlushBytes = 256 * 1024;

    private static readonly JsonEncodedText ClassNameKey = JsonEncodedText.Encode("class_name");
    private static readonly JsonEncodedText IdKey = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ActionKey = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText DataKey = JsonEncodedText.Encode("data");

    private readonly int _status;
    private readonly string _timestamp;
    private readonly string? _message;
    private readonly string? _encoding;
    private readonly LogRows? _rows;
    private readonly int? _pageLimit;
    private readonly IReadOnlyCollection<int> _venueIds;
    private readonly DateTime _mark;

    private LastChangesReply(int status, DateTime mark, TimeZoneInfo zone, string? message, string? encoding,
        LogRows? rows, int? pageLimit, IReadOnlyCollection<int> venueIds, bool longPoll = false)
    {
        _status = status;
        _mark = mark;
        _timestamp = LastChangesRequest.FormatTimestamp(mark, zone, toTheTick: longPoll);
        _message = message;
        _encoding = encoding;
        _rows = rows;
        _pageLimit = pageLimit;
        _venueIds = venueIds;
    }

    public static LastChangesReply Failure(string message, DateTime mark, TimeZoneInfo zone, string? encoding) =>
        new(1, mark, zone, message, encoding, null, null, []);

    /// <summary>
    /// Status 0. <paramref name="rows"/> is positioned on its first visible entry (null: none); the reply reads the
    /// rest and disposes them. Paged replies (<paramref name="pageLimit"/> set) read one row past the limit to know
    /// whether a next page exists.
    /// </summary>
    public static LastChangesReply Entries(DateTime mark, TimeZoneInfo zone, string? encoding, LogRows? rows,
        int? pageLimit, IReadOnlyCollection<int> venueIds, bool longPoll) =>
        new(0, mark, zone, null, encoding, rows, pageLimit, venueIds, longPoll);

    /// <summary>brotli or gzip when the client accepts it (the deployed apps send gzip); null for identity.</summary>
    public static string? Encoding(string acceptEncoding) =>
        acceptEncoding.Contains("br", StringComparison.OrdinalIgnoreCase) ? "br"
        : acceptEncoding.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? "gzip" : null;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var ct = httpContext.RequestAborted;
        try
        {
            var response = httpContext.Response;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.Vary = "Accept-Encoding";
            if (_encoding is null)
            {
                await WriteAsync(response.BodyWriter, ct);
                return;
            }

            response.Headers.ContentEncoding = _encoding;
            await using var compressor = _encoding == "br"
                ? (Stream)new BrotliStream(response.Body, CompressionLevel.Fastest, leaveOpen: true)
                : new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            var pipe = PipeWriter.Create(compressor, new StreamPipeWriterOptions(leaveOpen: true));
            await WriteAsync(pipe, ct);
            await pipe.CompleteAsync();
        }
        finally
        {
            if (_rows is not null)
            {
                await _rows.DisposeAsync();
            }
        }
    }

    private async Task WriteAsync(PipeWriter pipe, CancellationToken ct)
    {
        // Straight into the response's buffers; handed on every FlushBytes so a large reply never sits in memory.
        // Validation off: the shape is fixed here, and stored data is written as it was validated at capture.
        using var writer = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteNumber("status", _status);
        writer.WriteString("timestamp", _timestamp);
        writer.WriteStartArray("activity_log");
        var written = 0;
        long lastId = 0;
        var more = false;
        long flushed = 0;
        if (_rows is not null)
        {
            do
            {
                if (written == _pageLimit)
                {
                    more = true;
                    break;
                }

                var className = _rows.ClassName;
                writer.WriteStartObject();
                writer.WriteString(ClassNameKey, className);
                writer.WriteNumber(IdKey, _rows.RecordId);
                writer.WriteString(ActionKey, _rows.Action);
                if (_rows.HasData)
                {
                    writer.WritePropertyName(DataKey);
                    ChangeData.WriteForViewer(writer, className, _rows.Data, _venueIds);
                }

                writer.WriteEndObject();
                written++;
                if (_pageLimit is not null)
                {
                    lastId = _rows.Id;
                }

                // BytesPending alone never gets there: the writer hands its buffer to the pipe each time it fills.
                if (writer.BytesCommitted + writer.BytesPending - flushed >= FlushBytes)
                {
                    writer.Flush();
                    await pipe.FlushAsync(ct);
                    flushed = writer.BytesCommitted;
                }
            }
            while (await _rows.ReadAsync(ct));
        }

        writer.WriteEndArray();
        if (_message is null)
        {
            writer.WriteNull("message");
        }
        else
        {
            writer.WriteString("message", _message);
        }

        // Only for clients that asked for paging: old clients see the seed's four keys.
        if (_pageLimit is not null)
        {
            if (more)
            {
                writer.WriteString("next_cursor", LastChangesRequest.Cursor(_mark, lastId));
            }
            else
            {
                writer.WriteNull("next_cursor");
            }
        }

        writer.WriteEndObject();
        writer.Flush();
        await pipe.FlushAsync(ct);
    }
}
