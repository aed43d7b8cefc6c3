using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>
/// An ordered hash with case-sensitive keys, like Rails' params. Re-assigning a key keeps
/// its original position, as a Ruby Hash does.
/// </summary>
internal sealed record ParamHash : ParamNode
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, ParamNode> _values = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Keys => _keys;

    public int Count => _keys.Count;

    public ParamNode? this[string key] => _values.GetValueOrDefault(key);

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>True when the key is present with a non-null value (Rails' <c>params[:key].nil?</c> negated).</summary>
    public bool Has(string key) => _values.TryGetValue(key, out var node) && node is not ParamNull;

    /// <summary>The leaf's text, or null when the key is absent, null, a hash or a list.</summary>
    public string? Str(string key) => (this[key] as ParamValue)?.Value;

    public ParamHash? Hash(string key) => this[key] as ParamHash;

    /// <summary>
    /// The items of "ids[]=1&amp;ids[]=2" or a JSON array. A lone "ids=1,2" stays a leaf:
    /// splitting comma lists is an endpoint's decision, not the parser's.
    /// </summary>
    public IReadOnlyList<ParamNode>? List(string key) => (this[key] as ParamList)?.Items;

    internal void Set(string key, ParamNode value)
    {
        if (!_values.ContainsKey(key))
        {
            _keys.Add(key);
        }
        _values[key] = value;
    }

    // Structural and order-sensitive, so tests can compare parsed trees.
    public bool Equals(ParamHash? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        for (var i = 0; i < _keys.Count; i++)
        {
            var key = _keys[i];
            if (!string.Equals(key, other._keys[i], StringComparison.Ordinal) || !_values[key].Equals(other._values[key]))
            {
                return false;
            }
        }
        return true;
    }

    public override int GetHashCode() => _keys.Count;

    internal override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var key in _keys)
        {
            writer.WritePropertyName(key);
            _values[key].Write(writer);
        }
        writer.WriteEndObject();
    }
}
