namespace Velvet.Api.Contacts;

/// <summary>One card of a vCard (2.1/3.0/4.0) file, reduced to what a contact keeps.</summary>
internal sealed record VCard(string? FirstName, string? LastName, string? Email, string? Phone, string? Organization, string? Title)
{
    /// <summary>
    /// Reads every BEGIN:VCARD … END:VCARD block: folded lines are unfolded, property parameters
    /// (EMAIL;TYPE=work:) ignored, the first e-mail and phone kept. Pure, so it unit-tests without a host.
    /// </summary>
    public static IReadOnlyList<VCard> Parse(string text)
    {
        var cards = new List<VCard>();
        Dictionary<string, string>? current = null;
        foreach (var line in Unfold(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Split(';')[0].Trim().ToUpperInvariant();
            // Apple and Google exports group properties as "item1.EMAIL".
            name = name[(name.LastIndexOf('.') + 1)..];
            var value = line[(colon + 1)..].Trim();
            if (name == "BEGIN" && value.Equals("VCARD", StringComparison.OrdinalIgnoreCase))
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
            }
            else if (name == "END" && current is not null)
            {
                cards.Add(From(current));
                current = null;
            }
            else if (current is not null && value.Length > 0)
            {
                current.TryAdd(name, value);
            }
        }

        return cards;
    }

    private static VCard From(Dictionary<string, string> properties)
    {
        string? first = null, last = null;
        if (properties.TryGetValue("N", out var n))
        {
            var parts = n.Split(';');
            last = Clean(parts[0]);
            first = parts.Length > 1 ? Clean(parts[1]) : null;
        }

        if (first is null && properties.TryGetValue("FN", out var fn))
        {
            var words = Clean(fn)?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            first = words?[0];
            last ??= words?.Length > 1 ? words[1] : null;
        }

        return new VCard(first, last, Clean(properties.GetValueOrDefault("EMAIL")), Clean(properties.GetValueOrDefault("TEL")),
            Clean(properties.GetValueOrDefault("ORG")?.Split(';')[0]), Clean(properties.GetValueOrDefault("TITLE")));
    }

    private static IEnumerable<string> Unfold(string text)
    {
        string? pending = null;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.Length > 0 && (raw[0] == ' ' || raw[0] == '\t') && pending is not null)
            {
                pending += raw[1..];
                continue;
            }

            if (pending is not null)
            {
                yield return pending;
            }

            pending = raw;
        }

        if (pending is not null)
        {
            yield return pending;
        }
    }

    private static string? Clean(string? value)
    {
        var cleaned = value?.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\;", ";", StringComparison.Ordinal).Trim();
        return string.IsNullOrEmpty(cleaned) ? null : cleaned;
    }
}
