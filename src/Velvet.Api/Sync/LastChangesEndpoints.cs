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
        var compress = LastChangesReply.Encoding(http.Request.Headers.AcceptEncoding.ToString());
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
                return LastChangesReply.Failure(error, mark, caller.Zone, compress);
            }

            if (caller.DeviceId is not { } deviceId || caller.UserId is not { } userId)
            {
                return LastChangesReply.Failure(UnknownDevice, mark, caller.Zone, compress);
            }

            var acknowledged = await db.Set<SyncAcknowledgment>().Where(a => a.DeviceId == deviceId).Select(a => a.ClassName).ToListAsync(ct);
            var missing = starts!.Keys.Where(c => !acknowledged.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                return LastChangesReply.Failure(LastChangesRequest.NoAchievements(missing), mark, caller.Zone, compress);
            }

            var horizon = await LogPruning.HorizonAsync(db, ct);
            if (starts.Values.Any(s => s < horizon))
            {
                return LastChangesReply.Failure(TooManyChanges, mark, caller.Zone, compress);
            }

            var range = new LogRange(db, caller, userId, starts, page, mark);
            // "Too many changes" must be answered before the first entry is written, so the range is counted first,
            // bounded at MaxEntries + 1, on the index alone (the venue and user rules only when that bound is reached).
            // The same scan gives the first position in range: bounding the read by it lets the planner walk the log
            // in position order (no sort of the rows and their data) when the delta is dense, as a large one is.
            var take = options.MaxEntries + 1;
            var bounds = await range.Query(visibleOnly: false).Take(take).GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), First = g.Min(e => e.Id) }).SingleOrDefaultAsync(ct);
            var inRange = bounds?.Count ?? 0;
            if (page is null && inRange == take && await range.Query(visibleOnly: true).Take(take).CountAsync(ct) == take)
            {
                return LastChangesReply.Failure(TooManyChanges, mark, caller.Zone, compress);
            }

            // A truncated count saw only some of the range: its minimum proves nothing.
            var firstId = inRange == 0 ? (long?)null : inRange < take ? bounds!.First : 0;
            var pageLimit = page is null ? (int?)null : Math.Min(page.Limit, options.MaxEntries);
            LogRows? rows = null;
            if (firstId is { } from)
            {
                var ordered = range.Query(visibleOnly: true, from).OrderBy(e => e.Id);
                // A page reads one row past its limit: its presence is the next cursor.
                rows = await LogRows.OpenAsync(db, pageLimit is { } limit ? ordered.Take(limit + 1) : ordered, ct);
                if (!await rows.ReadAsync(ct))
                {
                    await rows.DisposeAsync();
                    rows = null;
                }
            }

            if (rows is not null || page is not null || time.GetUtcNow() >= deadline)
            {
                // The reply reads the rest of the rows while it writes, and disposes them.
                return LastChangesReply.Entries(mark, caller.Zone, compress, rows, pageLimit, db.Tenant.VenueIds, longPoll: wait > 0 && page is null);
            }

            await WaitAsync(changed, deadline, time, ct);
        }
    }

    /// <summary>Long poll: no connection is held while waiting (EF opens one per query, and the rows are disposed).</summary>
    private static async Task WaitAsync(Task changed, DateTimeOffset deadline, TimeProvider time, CancellationToken ct)
    {
        try
        {
            await changed.WaitAsync(deadline - time.GetUtcNow(), time, ct);
        }
        catch (TimeoutException)
        {
            // The deadline: one last read answers, empty or not.
        }
    }

    /// <summary>The log rows a request asks for: per group of classes with one start date, in the frozen range of a page.</summary>
    private sealed class LogRange(VelvetDb db, Caller caller, int userId, IReadOnlyDictionary<string, DateTime> starts,
        LastChangesRequest.Page? page, DateTime mark)
    {
        private readonly List<(string[] Classes, long From)> _groups = [.. starts
            .Where(s => SyncClasses.ReadPermission(s.Key) is not { } permission || caller.Can(permission, Staff.Permissions.Read))
            .GroupBy(s => s.Value.Ticks, s => s.Key).Select(g => (g.ToArray(), g.Key))];

        /// <summary>visibleOnly: false leaves out the venue and user rules, so SQLite answers from the (company, class, stamp) index alone.</summary>
        public IQueryable<ChangeLogEntry> Query(bool visibleOnly, long? fromId = null)
        {
            var companyId = caller.CompanyId;
            var venueIds = db.Tenant.VenueIds;
            var me = userId;
            IQueryable<ChangeLogEntry>? all = null;
            foreach (var (classes, from) in _groups)
            {
                var group = db.Set<ChangeLogEntry>().AsNoTracking()
                    .Where(e => e.CompanyId == companyId && classes.Contains(e.ClassName) && e.Stamp >= from);
                if (page is not null)
                {
                    // Paged replies cover a frozen range: below the first page's watermark every entry is already committed.
                    var below = mark.Ticks;
                    var after = page.AfterPosition;
                    group = group.Where(e => e.Stamp < below && e.Id > after);
                }

                if (fromId is { } first)
                {
                    group = group.Where(e => e.Id >= first);
                }

                if (visibleOnly)
                {
                    group = group.Where(e => (e.VenueId == null || venueIds.Contains(e.VenueId.Value)) && (e.UserId == null || e.UserId == me));
                }

                // Several start dates (options[<class>]): one statement, UNION ALL of disjoint classes.
                all = all is null ? group : all.Concat(group);
            }

            return all ?? db.Set<ChangeLogEntry>().Where(_ => false);
        }
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
}
