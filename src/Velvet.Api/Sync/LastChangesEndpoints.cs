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

    public static async Task<IResult> List(RequestParams p, VelvetDb db, Caller caller, SyncWatermark watermark, SyncOptions options,
        CancellationToken ct)
    {
        // The watermark is taken before anything is read: entries stamped below it are committed and visible below.
        var mark = await watermark.ComputeAsync(db, ct);
        var (starts, error) = LastChangesRequest.Parse(p.Root);
        if (error is not null)
        {
            return Failure(error, mark, caller.Zone);
        }

        if (caller.DeviceId is not { } deviceId || caller.UserId is not { } userId)
        {
            return Failure(UnknownDevice, mark, caller.Zone);
        }

        var acknowledged = await db.Set<SyncAcknowledgment>().Where(a => a.DeviceId == deviceId).Select(a => a.ClassName).ToListAsync(ct);
        var missing = starts!.Keys.Where(c => !acknowledged.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            return Failure(LastChangesRequest.NoAchievements(missing), mark, caller.Zone);
        }

        var horizon = await LogPruning.HorizonAsync(db, ct);
        if (starts.Values.Any(s => s < horizon))
        {
            return Failure(TooManyChanges, mark, caller.Zone);
        }

        var venueIds = db.Tenant.VenueIds;
        var readable = starts.Where(s => SyncClasses.ReadPermission(s.Key) is not { } permission || caller.Can(permission, Staff.Permissions.Read));
        var entries = new List<ChangeLogEntry>();
        foreach (var group in readable.GroupBy(s => s.Value, s => s.Key))
        {
            var classes = group.ToList();
            var from = group.Key.Ticks;
            entries.AddRange(await db.Set<ChangeLogEntry>().AsNoTracking()
                .Where(e => e.CompanyId == caller.CompanyId && classes.Contains(e.ClassName) && e.Stamp >= from
                    && (e.VenueId == null || venueIds.Contains(e.VenueId.Value))
                    && (e.UserId == null || e.UserId == userId))
                .OrderBy(e => e.Id).Take(options.MaxEntries + 1).ToListAsync(ct));
            if (entries.Count > options.MaxEntries)
            {
                return Failure(TooManyChanges, mark, caller.Zone);
            }
        }

        entries.Sort((a, b) => a.Id.CompareTo(b.Id));
        return Reply(0, mark, caller.Zone, null, entries, venueIds);
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

    private static IResult Failure(string message, DateTime mark, TimeZoneInfo zone) => Reply(1, mark, zone, message, [], []);

    /// <summary>Written by hand: stored data is already JSON and goes out as raw values, never re-serialized (Contact excepted, see ChangeData.ForViewer).</summary>
    private static IResult Reply(int status, DateTime mark, TimeZoneInfo zone, string? message, IReadOnlyList<ChangeLogEntry> entries, IReadOnlyCollection<int> venueIds)
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

            writer.WriteEndObject();
        }

        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }
}
