using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Velvet.Api.Staff;

/// <summary>
/// The profile's permissions_struct: per class (Contact, Reservation, …) the abilities a user has.
/// "manage" implies every other ability of that class.
/// </summary>
internal sealed class Permissions
{
    public const string Read = "read";
    public const string Create = "create";
    public const string Update = "update";
    public const string Destroy = "destroy";
    public const string Manage = "manage";

    public static readonly IReadOnlyList<string> Classes =
        ["Contact", "ContactOwner", "Reservation", "Guestlist", "Task", "Note", "LogMethod", "Event", "Tag", "Tally", "Goal", "User", "Venue", "Export"];

    private readonly SortedDictionary<string, SortedSet<string>> _abilities = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ToDictionary() =>
        _abilities.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal);

    public bool Can(string className, string ability) =>
        _abilities.TryGetValue(className, out var set) && (set.Contains(ability) || set.Contains(Manage));

    public Permissions Grant(string className, params string[] abilities)
    {
        if (!_abilities.TryGetValue(className, out var set))
        {
            set = new SortedSet<string>(StringComparer.Ordinal);
            _abilities[className] = set;
        }

        set.UnionWith(abilities);
        return this;
    }

    public static Permissions All()
    {
        var all = new Permissions();
        foreach (var className in Classes)
        {
            all.Grant(className, Manage);
        }

        return all;
    }

    public string Serialize() => JsonSerializer.Serialize(ToDictionary());

    public static Permissions Deserialize(string? json)
    {
        var permissions = new Permissions();
        if (string.IsNullOrWhiteSpace(json))
        {
            return permissions;
        }

        var map = JsonSerializer.Deserialize<Dictionary<string, string[]>>(json) ?? [];
        foreach (var (className, abilities) in map)
        {
            permissions.Grant(className, abilities);
        }

        return permissions;
    }

    public static readonly ValueConverter<Permissions, string> Converter =
        new(p => p.Serialize(), s => Deserialize(s));

    public static readonly ValueComparer<Permissions> Comparer =
        new((a, b) => (a == null ? null : a.Serialize()) == (b == null ? null : b.Serialize()),
            p => p.Serialize().GetHashCode(StringComparison.Ordinal),
            p => Deserialize(p.Serialize()));
}
