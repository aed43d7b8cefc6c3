using System.Text.Json.Serialization;

namespace Velvet.Api.Wire;

/// <summary>
/// The v2 API's reply shape, <c>{"replyCode": 0, "replyText": "OK", "data": …}</c>, as tools written for the
/// original v2 API parse it: the envelope keys are camelCase while <c>data</c> keeps the wire's snake_case.
/// </summary>
internal static class V2Envelope
{
    public const int Ok = 0;
    public const int InvalidCredentials = 1;
    public const int InvalidParameter = 10001;

    public static IResult Reply<T>(T data) => Results.Json(new V2Reply<T>(Ok, "OK", data), WireJson.Options);

    public static Task WriteErrorAsync(HttpContext context, int status, int replyCode, string message)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new V2Reply<object?>(replyCode, message, null), WireJson.Options);
    }
}

internal sealed record V2Reply<T>(
    [property: JsonPropertyName("replyCode")] int ReplyCode,
    [property: JsonPropertyName("replyText")] string ReplyText,
    [property: JsonPropertyName("data")] T Data);

/// <summary>A v2 client error: the HTTP status, the reply code and the message of seed 004's tables, verbatim.</summary>
internal sealed class V2Exception(int statusCode, int replyCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public int ReplyCode { get; } = replyCode;

    public static V2Exception BadRequest(string message) => new(StatusCodes.Status400BadRequest, V2Envelope.InvalidParameter, message);

    public static V2Exception BadRequestCode(int replyCode, string message) => new(StatusCodes.Status400BadRequest, replyCode, message);

    public static V2Exception Credentials() => new(StatusCodes.Status401Unauthorized, V2Envelope.InvalidCredentials, "Credentials are invalid");
}
