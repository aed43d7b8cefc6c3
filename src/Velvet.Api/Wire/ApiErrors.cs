using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>The one writer of the v1 error body; every 4xx and 5xx of the v1 API goes through it.</summary>
internal static class ApiErrors
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string message,
        IReadOnlyDictionary<string, string[]>? errors = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorJson(statusCode, message, errors),
            WireJson.Options, context.RequestAborted);
    }

    internal sealed record ErrorJson(
        int StatusCode,
        string Message,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyDictionary<string, string[]>? Errors);
}
