using System.Globalization;

namespace Velvet.Api.Venues;

/// <summary>venues/set_filters: "1,3,4" narrows to those venues, "0" (or nothing) means all of the user's venues.</summary>
internal static class VenueFilter
{
    public static int[] Apply(string? filter, int[] userVenueIds)
    {
        var chosen = Parse(filter);
        return chosen is null ? userVenueIds : [.. userVenueIds.Where(chosen.Contains)];
    }

    /// <summary>Null for "all"; otherwise the ids, or null when the text is not a list of ids.</summary>
    public static HashSet<int>? Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter) || filter.Trim() == "0")
        {
            return null;
        }

        var ids = new HashSet<int>();
        foreach (var part in filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new FormatException($"'{part}' is not a venue id");
            }

            ids.Add(id);
        }

        return ids.Count == 0 || ids.Contains(0) ? null : ids;
    }
}
