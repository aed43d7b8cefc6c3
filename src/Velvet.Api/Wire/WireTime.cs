using System.Globalization;
using System.Text.RegularExpressions;

namespace Velvet.Api.Wire;

/// <summary>
/// Time input and output. Clients send ISO 8601 and the two Last Changes formats
/// ("2014-03-03T16:38:38GMT+01:00", "2014-03-03 05:29:17 -0300"); output is always in the company's zone.
/// </summary>
internal static partial class WireTime
{
    public static DateTimeOffset ToZone(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), zone);

    public static DateTimeOffset? ToZone(DateTime? utc, TimeZoneInfo zone) => utc is { } value ? ToZone(value, zone) : null;

    public static TimeZoneInfo Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var gmt = GmtFormat().Match(text);
        if (gmt.Success)
        {
            text = gmt.Groups["time"].Value + Signed(gmt.Groups["sign"].Value) + gmt.Groups["offset"].Value;
        }

        var spaced = SpacedFormat().Match(text);
        if (spaced.Success)
        {
            var offset = spaced.Groups["offset"].Value;
            text = spaced.Groups["time"].Value + "T" + spaced.Groups["clock"].Value + Signed(spaced.Groups["sign"].Value)
                + offset[..2] + ":" + offset[2..];
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
    }

    /// <summary>
    /// The seed's own curl lines send "+0000" unencoded in a form body, where "+" decodes to a space:
    /// a missing sign (or a space) before the offset is the "+" the client meant.
    /// </summary>
    private static string Signed(string sign) => sign == "-" ? "-" : "+";

    [GeneratedRegex(@"^(?<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)\s*(GMT|UTC)(?<sign>[+ -])?(?<offset>\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex GmtFormat();

    [GeneratedRegex(@"^(?<time>\d{4}-\d{2}-\d{2})[ T](?<clock>\d{2}:\d{2}:\d{2}(\.\d+)?)\s+(?<sign>[+-]?)(?<offset>\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedFormat();
}
