using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Velvet.Tests.Infrastructure;

/// <summary>Sends requests the way the deployed clients do: form bodies on every method (curl -X GET -d …).</summary>
public sealed class ApiClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public Task<Reply> Get(string path, params (string Key, string Value)[] form) => Send(HttpMethod.Get, path, form);

    public Task<Reply> Post(string path, params (string Key, string Value)[] form) => Send(HttpMethod.Post, path, form);

    public Task<Reply> Put(string path, params (string Key, string Value)[] form) => Send(HttpMethod.Put, path, form);

    public Task<Reply> Delete(string path, params (string Key, string Value)[] form) => Send(HttpMethod.Delete, path, form);

    public async Task<Reply> Send(HttpMethod method, string path, IEnumerable<(string Key, string Value)> form)
    {
        using var request = new HttpRequestMessage(method, path);
        var pairs = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).ToList();
        if (pairs.Count > 0)
        {
            request.Content = new FormUrlEncodedContent(pairs);
        }

        return await Reply.From(await Http.SendAsync(request));
    }

    public async Task<Reply> SendJson(HttpMethod method, string path, object body, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Reply.From(await Http.SendAsync(request));
    }

    public async Task<Reply> SendRaw(HttpRequestMessage request) => await Reply.From(await Http.SendAsync(request));
}

public sealed class Reply
{
    public required HttpStatusCode Status { get; init; }

    public required string Text { get; init; }

    public required HttpResponseMessage Response { get; init; }

    public int Code => (int)Status;

    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public static async Task<Reply> From(HttpResponseMessage response) =>
        new() { Status = response.StatusCode, Text = await response.Content.ReadAsStringAsync(), Response = response };

    /// <summary>Asserts the status and the v1 error body {"status_code": N, "message": "…"}.</summary>
    public Reply AssertError(int status, string? message = null)
    {
        Assert.True(Code == status, $"expected {status}, got {Code}: {Text}");
        Assert.Equal(status, Json.GetProperty("status_code").GetInt32());
        if (message is not null)
        {
            Assert.Equal(message, Json.GetProperty("message").GetString());
        }

        return this;
    }

    public Reply AssertOk()
    {
        Assert.True(Code == 200, $"expected 200, got {Code}: {Text}");
        return this;
    }
}
