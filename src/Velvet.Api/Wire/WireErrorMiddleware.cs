using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Velvet.Api.Storage;


namespace Velvet.Api.Wire;

/// <summary>
/// Outermost v1/v2 guard: client mistakes become the API's error body with their status, a write that lost a race to
/// another request a 503 to send again, anything else a 500 in the same format — never a stack trace.
/// </summary>
internal sealed class WireErrorMiddleware(RequestDelegate next, ILogger<WireErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (V2Exception e)
        {
            await V2Envelope.WriteErrorAsync(context, e.StatusCode, e.ReplyCode, e.Message);
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message, e.Errors);
        }
        catch (MalformedParamsException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits (body too large, bad framing, a form over its key limit).
            var status = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? e.StatusCode : StatusCodes.Status400BadRequest;
            await WriteAsync(context, status, status == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request");
        }
        catch (InvalidDataException)
        {
            // ASP.NET's form reader: too many keys, a key or value over its length limit, broken multipart.
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Malformed request body");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (UnstorableTextException e) when (!context.Response.HasStarted)
        {
            var invalid = ApiException.Invalid(e.Problems.ToDictionary(p => WireJson.Options.PropertyNamingPolicy!.ConvertName(p.Key), p => p.Value, StringComparer.Ordinal));
            await WriteAsync(context, invalid.StatusCode, invalid.Message, invalid.Errors);
        }
        catch (Exception e) when (StorageErrors.IsLostRace(e) && !context.Response.HasStarted)
        {
            // Rolled back whole; sent again, the request runs its own checks against what the other request did and
            // gets the answer it would have had a moment later (the record, a 404, a validation error).
            logger.LogWarning("Lost a race with another request on {Method} {Path} ({Code}); asked the client to retry",
                context.Request.Method, context.Request.Path.Value, StorageErrors.CodeOf(e));
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            });
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service busy, please try again");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            if (context.Response.HasStarted)
            {
                // Part of a streamed reply is out: ending it normally would pass the rest off as complete.
                context.Abort();
                return;
            }

            await WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal server error");
        }
    }

    /// <summary>The API's own error body for the path: v2's envelope under /api/v2, v1's everywhere else.</summary>
    internal static Task WriteAsync(HttpContext context, int status, string message, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        if (context.Request.Path.StartsWithSegments("/api/v2"))
        {
            return V2Envelope.WriteErrorAsync(context, status, status >= 500 ? 1 : 10001, message);
        }

        return ApiErrors.WriteAsync(context, status, message, errors);
    }
}

/// <summary>Rails routes take an optional ".json" format suffix; strip it before routing.</summary>
internal sealed class JsonSuffixMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not null && path.StartsWith("/api/", StringComparison.Ordinal)
            && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Path = new PathString(path[..^5]);
        }

        return next(context);
    }
}

internal static class WirePipeline
{
    /// <summary>Statuses the framework produces with no body (404 no route, 405 wrong method) get the API's error body.</summary>
    public static Task WriteEmptyStatusAsync(StatusCodeContext statusContext)
    {
        var context = statusContext.HttpContext;
        var status = context.Response.StatusCode;
        var message = status switch
        {
            StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => "Record not found or wrong url",
            StatusCodes.Status413PayloadTooLarge => "Request body too large",
            StatusCodes.Status429TooManyRequests => "Too many requests",
            _ => ReasonPhrases.GetReasonPhrase(status),
        };
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            status = StatusCodes.Status404NotFound;
        }

        return context.Request.Path.StartsWithSegments("/api/v2")
            ? V2Envelope.WriteErrorAsync(context, status, status == 404 ? 4004 : 10001, message)
            : ApiErrors.WriteAsync(context, status, message);
    }
}
