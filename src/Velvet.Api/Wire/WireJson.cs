using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Velvet.Api.Wire;

/// <summary>
/// JSON as the deployed clients read it: snake_case keys, every key present (null when empty),
/// money as Rails decimal strings ("0.0"), times as "yyyy-MM-ddTHH:mm:ss±HHmm".
/// </summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new RailsTimeConverter());
        options.Converters.Add(new RailsMoneyConverter());
        return options;
    }

    /// <summary>Rails' BigDecimal#to_s as the clients parse it: "0.0", "25000.5", "12.75".</summary>
    public static string Money(decimal value)
    {
        var text = value.ToString("0.0###########", CultureInfo.InvariantCulture);
        return text;
    }

    /// <summary>The v1 time format, in the offset the value carries (the company's zone).</summary>
    public static string Time(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Offset(value.Offset);

    private static string Offset(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs.Hours:00}{abs.Minutes:00}");
    }

    private sealed class RailsTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            WireTime.TryParse(reader.GetString(), out var value) ? value : throw new JsonException("Invalid time");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Time(value));
    }

    private sealed class RailsMoneyConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? decimal.Parse(reader.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)
                : reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Money(value));
    }
}
