using System.Globalization;

namespace Velvet.Api.Wire;

/// <summary>Typed reads of Rails parameters; a value of the wrong shape answers 400 naming the parameter.</summary>
internal static class ParamReading
{
    /// <summary>ids[]=1&amp;ids[]=2, a JSON array, or "1,2": null when absent.</summary>
    public static IReadOnlyList<int>? IntList(this ParamHash hash, string key)
    {
        if (!hash.Has(key))
        {
            return null;
        }

        IEnumerable<string?> texts = hash[key] switch
        {
            ParamList list => list.Items.Select(i => (i as ParamValue)?.Value),
            ParamValue value => value.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            _ => throw ApiException.BadRequest($"Invalid data format for {key}. Array expected"),
        };
        var ids = new List<int>();
        foreach (var text in texts)
        {
            if (text is null || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
            {
                throw ApiException.BadRequest($"Invalid value for {key}: integers expected");
            }

            ids.Add(id);
        }

        return ids;
    }

    public static IReadOnlyList<int>? IntList(this RequestParams p, string key) => p.Root.IntList(key);

    public static int? Int(this ParamHash hash, string key)
    {
        var text = hash.Str(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiException.BadRequest($"Invalid value for {key}: integer expected");
    }

    public static int? Int(this RequestParams p, string key) => p.Root.Int(key);

    /// <summary>Rails' truthy strings: "1", "true", "t", "yes", "on".</summary>
    public static bool Flag(this ParamHash hash, string key) =>
        hash.Str(key)?.Trim().ToLowerInvariant() is "1" or "true" or "t" or "yes" or "on";

    public static bool Flag(this RequestParams p, string key) => p.Root.Flag(key);
}
