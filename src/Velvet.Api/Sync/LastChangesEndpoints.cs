using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Sync;

/// <summary>Seed 001's Last Changes: the delta since a client's timestamp, and the acknowledgment of a full load.</summary>
internal static class LastChangesEndpoints
{
    public const string UnknownDevice = "Unknown device";
    public const string TooManyChanges = "Too many changes";

    public static IEndpointRouteBuilder MapLastChanges(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/last_changes").WithTags("LastChanges");
        group.MapGet("", List);
        group.MapPost("/acknowledgment", Acknowledge);
        return routes;
    }

    /// <summary>Longest long-poll a client may ask for with wait=, in seconds.</summary>
    public const int MaxWaitSeconds = 60;

    public static async Task<IResult> List(RequestParams p, VelvetDb db, Caller caller, SyncWatermark watermark, SyncOptions options,
        SyncSignal signal, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var compress = ReplyEncoding(http.Request.Headers.AcceptEncoding.ToString());
        var (starts, error) = LastChangesRequest.Parse(p.Root);
        var (page, pageError) = LastChangesRequest.ParsePaging(p.Root);
        var wait = p.Root.ContainsKey("wait") ? p.Root.Int("wait") : 0;
        if (error is null && (pageError is not null || wait is null or < 0))
        {
            error = LastChangesRequest.InvalidParams;
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(wait ?? 0, MaxWaitSeconds));
        while (true)
        {
            // Taken before the watermark: a commit after this point wakes the wait below.
            var changed = signal.Next;
            // The watermark is taken before anything is read: entries stamped below it are committed and visible below.
            var mark = page?.Watermark ?? await watermark.ComputeAsync(db, ct);
            if (error is not null)
            {
                return Failure(error, mark, caller.Zone, compress);
            }

            if (caller.DeviceId is not { } deviceId || caller.UserId is not { } userId)
            {
                return Failure(UnknownDevice, mark, caller.Zone, compress);
            }

            var acknowledged = await db.Set<SyncAcknowledgment>().Where(a => a.DeviceId == deviceId).Select(a => a.ClassName).ToListAsync(ct);
            var missing = starts!.Keys.Where(c => !acknowledged.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                return Failure(LastChangesRequest.NoAchievements(missing), mark, caller.Zone, compress);
            }

            var horizon = await LogPruning.HorizonAsync(db, ct);
            if (starts.Values.Any(s => s < horizon))
            {
                return Failure(TooManyChanges, mark, caller.Zone, compress);
            }

            var (entries, more) = await ReadAsync(db, caller, userId, starts, page, mark, options, ct);
            if (entries is null)
            {
                return Failure(TooManyChanges, mark, caller.Zone, compress);
            }

            var now = time.GetUtcNow();
            if (entries.Count > 0 || page is not null || now >= deadline)
            {
                var next = page is null ? null : more ? LastChangesRequest.Cursor(mark, entries[^1].Id) : "";
                return Reply(0, mark, caller.Zone, null, entries, db.Tenant.VenueIds, next, compress);
            }

            // Long poll: no connection is held while waiting (EF opens one per query).
            try
            {
                await changed.WaitAsync(deadline - now, time, ct);
            }
            catch (TimeoutException)
            {
                // The deadline: one last read above answers, empty or not.
            }
        }
    }

    /// <summary>Visible entries in position order; null when more than the limit (without paging).</summary>
    private static async Task<(List<ChangeLogEntry>? Entries, bool More)> ReadAsync(VelvetDb db, Caller caller, int userId,
        IReadOnlyDictionary<string, DateTime> starts, LastChangesRequest.Page? page, DateTime mark, SyncOptions options, CancellationToken ct)
    {
        var venueIds = db.Tenant.VenueIds;
        var readable = starts.Where(s => SyncClasses.ReadPermission(s.Key) is not { } permission || caller.Can(permission, Staff.Permissions.Read));
        var take = page is null ? options.MaxEntries + 1 : Math.Min(page.Limit, options.MaxEntries) + 1;
        // Paged replies cover a frozen range: below the first page's watermark every entry is already committed.
        var below = page is null ? long.MaxValue : mark.Ticks;
        var after = page?.AfterPosition ?? 0;
        var entries = new List<ChangeLogEntry>();
        foreach (var group in readable.GroupBy(s => s.Value, s => s.Key))
        {
            var classes = group.ToList();
            var from = group.Key.Ticks;
            entries.AddRange(await db.Set<ChangeLogEntry>().AsNoTracking()
                .Where(e => e.CompanyId == caller.CompanyId && classes.Contains(e.ClassName) && e.Stamp >= from && e.Stamp < below && e.Id > after
                    && (e.VenueId == null || venueIds.Contains(e.VenueId.Value))
                    && (e.UserId == null || e.UserId == userId))
                .OrderBy(e => e.Id).Take(take).ToListAsync(ct));
        }

        entries.Sort((a, b) => a.Id.CompareTo(b.Id));
        if (entries.Count < take)
        {
            return (entries, false);
        }

        return page is null ? (null, true) : (entries[..(take - 1)], true);
    }

    public static async Task<IResult> Acknowledge(RequestParams p, VelvetDb db, Caller caller, CancellationToken ct)
    {
        if (!p.Root.ContainsKey("timestamp"))
        {
            return Results.Json(new { Status = 1, Message = LastChangesRequest.UnknownParams }, WireJson.Options);
        }

        if (!WireTime.TryParse(p.Str("timestamp"), out var timestamp))
        {
            return Results.Json(new { Status = 1, Message = LastChangesRequest.InvalidTimestamp }, WireJson.Options);
        }

        if (caller.DeviceId is not { } deviceId || caller.UserId is not { } userId)
        {
            return Results.Json(new { Status = 1, Message = UnknownDevice }, WireJson.Options);
        }

        var existing = await db.Set<SyncAcknowledgment>().Where(a => a.DeviceId == deviceId).ToListAsync(ct);
        foreach (var className in SyncClasses.All)
        {
            var ack = existing.FirstOrDefault(a => a.ClassName == className);
            if (ack is null)
            {
                db.Add(new SyncAcknowledgment { CompanyId = caller.CompanyId, DeviceId = deviceId, UserId = userId, ClassName = className, Timestamp = timestamp.UtcTicks });
            }
            else
            {
                ack.Timestamp = timestamp.UtcTicks;
            }
        }

        await db.SaveChangesAsync(ct);
        return Results.Json(new { Message = "Success" }, WireJson.Options);
    }

    private static EncodedJson Failure(string message, DateTime mark, TimeZoneInfo zone, string? encoding) =>
        Reply(1, mark, zone, message, [], [], null, encoding);

    /// <summary>brotli or gzip when the client accepts it (the deployed apps send gzip); null for identity.</summary>
    private static string? ReplyEncoding(string acceptEncoding) =>
        acceptEncoding.Contains("br", StringComparison.OrdinalIgnoreCase) ? "br"
        : acceptEncoding.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? "gzip" : null;

    /// <summary>Written by hand: stored data is already JSON and goes out as raw values, never re-serialized (Contact excepted, see ChangeData.ForViewer).</summary>
    private static EncodedJson Reply(int status, DateTime mark, TimeZoneInfo zone, string? message, IReadOnlyList<ChangeLogEntry> entries,
        IReadOnlyCollection<int> venueIds, string? nextCursor, string? encoding)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("status", status);
            writer.WriteString("timestamp", LastChangesRequest.FormatTimestamp(mark, zone));
            writer.WriteStartArray("activity_log");
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("class_name", entry.ClassName);
                writer.WriteNumber("id", entry.RecordId);
                writer.WriteString("action", entry.Action);
                if (entry.Data is not null)
                {
                    writer.WritePropertyName("data");
                    writer.WriteRawValue(ChangeData.ForViewer(entry.ClassName, entry.Data, venueIds), skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (message is null)
            {
                writer.WriteNull("message");
            }
            else
            {
                writer.WriteString("message", message);
            }

            // Only for clients that asked for paging: old clients see the seed's four keys.
            if (nextCursor is not null)
            {
                if (nextCursor.Length == 0)
                {
                    writer.WriteNull("next_cursor");
                }
                else
                {
                    writer.WriteString("next_cursor", nextCursor);
                }
            }

            writer.WriteEndObject();
        }

        return new EncodedJson(buffer.WrittenMemory, encoding);
    }
}

/// <summary>A JSON body, compressed when the client accepts it. Done here rather than by middleware so only this endpoint (the large replies) pays for it.</summary>
internal sealed class EncodedJson(ReadOnlyMemory<byte> json, string? encoding) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.Vary = "Accept-Encoding";
        if (encoding is null)
        {
            await response.Body.WriteAsync(json, httpContext.RequestAborted);
            return;
        }

        response.Headers.ContentEncoding = encoding;
        await using Stream compressor = encoding == "br"
            ? new System.IO.Compression.BrotliStream(response.Body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)
            : new System.IO.Compression.GZipStream(response.Body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
        await compressor.WriteAsync(json, httpContext.RequestAborted);
    }
}
