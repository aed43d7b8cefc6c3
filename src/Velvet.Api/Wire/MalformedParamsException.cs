namespace Velvet.Api.Wire;

/// <summary>
/// Malformed or hostile parameters. The HTTP layer answers 400 with
/// <c>{"status_code":400,"message":Message}</c>, so the message is client-facing.
/// </summary>
internal sealed class MalformedParamsException(string message) : Exception(message);
