namespace Velvet.Api.Wire;

/// <summary>
/// An error the client caused. Wire turns it into the v1 error body
/// <c>{"status_code": N, "message": "…", "errors": {…}}</c> with the same HTTP status.
/// </summary>
internal sealed class ApiException(int statusCode, string message, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiException NotFound(string message = "Record not found") => new(StatusCodes.Status404NotFound, message);

    public static ApiException NoPermission(string message = "User has no permissions for this action") =>
        new(StatusCodes.Status401Unauthorized, message);

    public static ApiException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, ValidationMessage(errors), errors);

    private static string ValidationMessage(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join(", ", errors.SelectMany(e => e.Value.Select(m => $"{Humanize(e.Key)} {m}")));

    private static string Humanize(string field)
    {
        var words = field.Replace('_', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }
}
