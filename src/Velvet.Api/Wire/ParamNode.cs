using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>
/// One node of a parsed parameter tree, shaped like Rails' params hash: a leaf string,
/// null, an ordered hash or a list. Values are always strings because Rails clients
/// never relied on JSON types surviving into params.
/// </summary>
internal abstract record ParamNode
{
    /// <summary>Compact JSON text of the tree; for logs and test assertions.</summary>
    public sealed override string ToString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // Recursion is safe: every tree is built by RailsParams, which caps depth at ParamLimits.MaxDepth.
    internal abstract void Write(Utf8JsonWriter writer);
}
