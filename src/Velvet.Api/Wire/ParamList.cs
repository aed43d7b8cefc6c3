using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>"ids[]=1&amp;ids[]=2" or a JSON array.</summary>
internal sealed record ParamList : ParamNode
{
    private readonly List<ParamNode> _items = [];

    public IReadOnlyList<ParamNode> Items => _items;

    internal void Add(ParamNode item) => _items.Add(item);

    // Structural equality: the synthesized one would compare the backing lists by reference.
    public bool Equals(ParamList? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.SequenceEqual(other._items));

    public override int GetHashCode() => _items.Count;

    internal override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var item in _items)
        {
            item.Write(writer);
        }
        writer.WriteEndArray();
    }
}
