using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>A leaf. JSON numbers keep their literal text ("25000.50"); JSON booleans become "true"/"false".</summary>
internal sealed record ParamValue(string Value) : ParamNode
{
    internal override void Write(Utf8JsonWriter writer) => writer.WriteStringValue(Value);
}
