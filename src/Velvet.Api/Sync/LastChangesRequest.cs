using Velvet.Api.Wire;

namespace Velvet.Api.Sync;

/// <summary>
/// The parameters of GET last_changes, checked in seed 001's terms: exactly one of start_date and
/// options[&lt;class&gt;][start_date]. Pure, so every status-1 message is pinned without a host.
/// </summary>
internal static class LastChangesRequest
{
    public const string UnknownParams = "Unknown params";
    public const string InvalidParams = "Invalid params";
    public const string InvalidTimestamp = "Invalid timestamp";

    /// <summary>Per requested class, the UTC instant changes start at; or the status-1 message.</summary>
    public static (IReadOnlyDictionary<string, DateTime>? Starts, string? Error) Parse(ParamHash root)
    {
        var hasStart = root.ContainsKey("start_date");
        var hasOptions = root.ContainsKey("options");
        if (!hasStart && !hasOptions)
        {
            return (null, UnknownParams);
        }

        if (hasStart && hasOptions)
        {
            return (null, InvalidParams);
        }

        if (hasStart)
        {
            if (root["start_date"] is not ParamValue || !WireTime.TryParse(root.Str("start_date"), out var start))
            {
                return (null, InvalidTimestamp);
            }

            return (SyncClasses.All.ToDictionary(c => c, _ => start.UtcDateTime, StringComparer.Ordinal), null);
        }

        if (root.Hash("options") is not { Count: > 0 } options)
        {
            return (null, InvalidParams);
        }

        var starts = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var className in options.Keys)
        {
            if (!SyncClasses.All.Contains(className) || options.Hash(className) is not { } perClass || !perClass.ContainsKey("start_date"))
            {
                return (null, InvalidParams);
            }

            if (!WireTime.TryParse(perClass.Str("start_date"), out var start))
            {
                return (null, InvalidTimestamp + " at " + className);
            }

            starts[className] = start.UtcDateTime;
        }

        return (starts, null);
    }

    /// <summary>A page request: at most Limit entries after AfterPosition, below the first page's Watermark.</summary>
    internal sealed record Page(int Limit, long AfterPosition, DateTime? Watermark);

    /// <summary>
    /// Beyond the seed: limit=N pages a large delta; the reply's next_cursor ("watermark ticks.position") is sent
    /// back as cursor= with the same start_date until it is null. Keyed by log position, never by offset.
    /// </summary>
    public static (Page? Page, string? Error) ParsePaging(ParamHash root)
    {
        if (!root.ContainsKey("limit"))
        {
            return root.ContainsKey("cursor") ? (null, InvalidParams) : (null, null);
        }

        if (root.Int("limit") is not { } limit || limit <= 0)
        {
            return (null, InvalidParams);
        }

        if (root.Str("cursor") is not { Length: > 0 } cursor)
        {
            return (new Page(limit, 0, null), null);
        }

        var parts = cursor.Split('.');
        if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var position)
            || ticks <= 0 || ticks > DateTime.MaxValue.Ticks || position < 0)
        {
            return (null, InvalidParams);
        }

        return (new Page(limit, position, new DateTime(ticks, DateTimeKind.Utc)), null);
    }

    public static string Cursor(DateTime watermark, long position) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{watermark.Ticks}.{position}");

    /// <summary>The seed's wording, trailing space included: it is what deployed clients compare.</summary>
    public static string NoAchievements(IReadOnlyList<string> missing) =>
        missing.Count == 1 ? $"No achievements: '{missing[0]}' " : "No achievements at some classes";

    /// <summary>
    /// The reply's timestamp, "2014-03-03T16:38:38GMT+01:00", in the company's zone, floored to the second. Long polls
    /// get it to the tick ("…38.1234567GMT+01:00"; start_date accepts fractions): sent back, it starts the next poll
    /// at the watermark itself rather than at the start of its second, whose entries the client has already.
    /// </summary>
    public static string FormatTimestamp(DateTime utc, TimeZoneInfo zone, bool toTheTick = false)
    {
        var shown = toTheTick ? utc : new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var local = WireTime.ToZone(shown, zone);
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        return local.ToString(toTheTick ? "yyyy-MM-dd'T'HH:mm:ss.fffffff" : "yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            + "GMT" + sign + offset.Duration().ToString("hh\\:mm", System.Globalization.CultureInfo.InvariantCulture);
    }
}
