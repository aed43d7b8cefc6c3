using System.Globalization;
using System.Net.Http.Json;
using Velvet.Api.Exports;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

/// <summary>Signs requests as a client written for the original v2 API: a fresh X-WSSE header per call.</summary>
internal sealed class V2Client(ApiClient api, VelvetApp app, string user, string secret)
{
    public string Header(string? nonce = null, DateTimeOffset? created = null, string? digestSecret = null)
    {
        nonce ??= Guid.NewGuid().ToString("N");
        var createdText = (created ?? app.Clock.GetUtcNow()).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var digest = WsseToken.Digest(nonce, createdText, digestSecret ?? secret);
        return $"UsernameToken Username=\"{user}\", PasswordDigest=\"{digest}\", Nonce=\"{nonce}\", Created=\"{createdText}\"";
    }

    public Task<Reply> Get(string path, string? header = null) => Send(HttpMethod.Get, path, null, header);

    public Task<Reply> Post(string path, object body, string? header = null) => Send(HttpMethod.Post, path, body, header);

    public async Task<Reply> Send(HttpMethod method, string path, object? body, string? header = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.TryAddWithoutValidation("X-WSSE", header ?? Header());
        return await api.SendRaw(request);
    }
}

internal static class V2ReplyAssertions
{
    public static Reply AssertV2Error(this Reply reply, int status, int replyCode, string message)
    {
        Assert.True(reply.Code == status, $"expected {status}, got {reply.Code}: {reply.Text}");
        Assert.Equal(replyCode, reply.Json.GetProperty("replyCode").GetInt32());
        Assert.Equal(message, reply.Json.GetProperty("replyText").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reply.Json.GetProperty("data").ValueKind);
        return reply;
    }

    public static System.Text.Json.JsonElement AssertV2Ok(this Reply reply)
    {
        Assert.True(reply.Code == 200, $"expected 200, got {reply.Code}: {reply.Text}");
        Assert.Equal(0, reply.Json.GetProperty("replyCode").GetInt32());
        Assert.Equal("OK", reply.Json.GetProperty("replyText").GetString());
        return reply.Json.GetProperty("data");
    }
}
