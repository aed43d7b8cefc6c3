using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>JSON null, or a query/form key sent without "=" ("?flag"), as Rack gives nil.</summary>
internal sealed record ParamNull : ParamNode
{
    private ParamNull()
    {
    }

    public static ParamNull Instance { get; } = new();

    internal override void Write(Utf8JsonWriter writer) => writer.WriteNullValue();
}
