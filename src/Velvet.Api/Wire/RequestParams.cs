using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Velvet.Api.Wire;

/// <summary>
/// All of a request's params, read once: the query string merged with the body. The body is
/// read on every method, GET and DELETE included, because deployed clients send
/// <c>curl -X GET -d key=value</c> and Rails honoured it. Handlers take it as a parameter.
/// </summary>
internal sealed class RequestParams
{
    private static readonly object ItemsKey = new();

    private RequestParams(ParamHash root, IReadOnlyDictionary<string, IFormFile> files)
    {
        Root = root;
        Files = files;
    }

    public ParamHash Root { get; }

    /// <summary>Multipart files by their Rails field name ("avatar", "contact[photo]"); not part of <see cref="Root"/>.</summary>
    public IReadOnlyDictionary<string, IFormFile> Files { get; }

    public ParamNode? this[string key] => Root[key];

    public bool Has(string key) => Root.Has(key);

    public string? Str(string key) => Root.Str(key);

    public ParamHash? Hash(string key) => Root.Hash(key);

    public IReadOnlyList<ParamNode>? List(string key) => Root.List(key);

    /// <summary>Minimal-API binding: the instance the params middleware cached, or a fresh read.</summary>
    public static async ValueTask<RequestParams?> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = context.RequestServices?.GetService(typeof(ParamLimits)) as ParamLimits ?? ParamLimits.Default;
        return await GetOrReadAsync(context, limits, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads once per request and caches in HttpContext.Items, so the body is consumed only once.</summary>
    public static async Task<RequestParams> GetOrReadAsync(HttpContext context, ParamLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemsKey, out var cached) && cached is RequestParams existing)
        {
            return existing;
        }
        var read = await ReadAsync(context.Request, limits, ct).ConfigureAwait(false);
        context.Items[ItemsKey] = read;
        return read;
    }

    /// <summary>
    /// Parses query and body; body values win over query values (hashes merge). Throws only
    /// <see cref="MalformedParamsException"/> for bad input (and cancellation).
    /// </summary>
    public static async Task<RequestParams> ReadAsync(HttpRequest request, ParamLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);

        var root = RailsParams.FromPairs(RailsParams.UrlEncodedPairs(request.QueryString.Value ?? ""), limits);
        var files = new Dictionary<string, IFormFile>(StringComparer.Ordinal);

        var kind = BodyKindOf(request.ContentType, out var mediaType);
        // An unknown or missing content type means the body is not params: leave it unread.
        if (kind == BodyKind.None || request.ContentLength == 0)
        {
            return new RequestParams(root, files);
        }

        var body = await ReadBodyAsync(request, limits, ct).ConfigureAwait(false);
        if (body.Count == 0)
        {
            return new RequestParams(root, files);
        }

        var bodyParams = kind switch
        {
            // Form bodies are split by hand rather than by ReadFormAsync, which groups values by
            // key and so loses the order "owners[][venue_id]" depends on.
            BodyKind.Form => RailsParams.FromPairs(RailsParams.UrlEncodedPairs(Encoding.UTF8.GetString(body)), limits),
            BodyKind.Json => RailsParams.FromJson(body, limits),
            _ => await ReadMultipartAsync(body, mediaType!, files, limits, ct).ConfigureAwait(false),
        };
        return new RequestParams(RailsParams.Merge(root, bodyParams), files);
    }

    private enum BodyKind
    {
        None,
        Form,
        Json,
        Multipart,
    }

    private static BodyKind BodyKindOf(string? contentType, out MediaTypeHeaderValue? mediaType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out mediaType))
        {
            return BodyKind.None;
        }
        var type = mediaType.MediaType;
        if (type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return BodyKind.Form;
        }
        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return BodyKind.Multipart;
        }
        // Rails' JSON MIME type with its synonyms (text/x-json, application/jsonrequest), plus any "+json".
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/x-json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/jsonrequest", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return BodyKind.Json;
        }
        return BodyKind.None;
    }

    // The whole body is buffered (bounded by MaxBodyLength) so every parser sees pairs in order
    // and JSON can be read from one span. The buffer then replaces Request.Body so anything
    // downstream that wants the raw body can still read it.
    private static async Task<ArraySegment<byte>> ReadBodyAsync(HttpRequest request, ParamLimits limits, CancellationToken ct)
    {
        if (request.ContentLength > limits.MaxBodyLength)
        {
            throw new MalformedParamsException("Request body too large");
        }
        var initial = (int)Math.Min(request.ContentLength ?? 16 * 1024, limits.MaxBodyLength);
        var buffer = new MemoryStream(initial);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limits.MaxBodyLength)
                {
                    throw new MalformedParamsException("Request body too large");
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits and truncated uploads are the client's fault: 400, not 500.
            throw new MalformedParamsException(
                e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request body");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        buffer.Position = 0;
        request.Body = buffer;
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<ParamHash> ReadMultipartAsync(
        ArraySegment<byte> body,
        MediaTypeHeaderValue mediaType,
        Dictionary<string, IFormFile> files,
        ParamLimits limits,
        CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new MalformedParamsException("Malformed multipart body");
        }
        var fields = new List<KeyValuePair<string, string?>>();
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body.Array!, body.Offset, body.Count, writable: false));
            while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
            {
                if (fields.Count + files.Count >= limits.MaxKeys)
                {
                    throw new MalformedParamsException("Too many parameters");
                }
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }
                if (disposition.IsFileDisposition())
                {
                    // A copy per file keeps each IFormFile independent of the others' read positions.
                    var content = new MemoryStream();
                    await section.Body.CopyToAsync(content, ct).ConfigureAwait(false);
                    content.Position = 0;
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                    files[name] = new FormFile(content, 0, content.Length, name, fileName)
                    {
                        Headers = new HeaderDictionary(section.Headers),
                    };
                }
                else
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    fields.Add(new(name, await text.ReadToEndAsync(ct).ConfigureAwait(false)));
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new MalformedParamsException("Malformed multipart body");
        }
        return RailsParams.FromPairs(fields, limits);
    }
}
