using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Wire;

namespace Velvet.Tests.Wire;

public class RequestParamsTests
{
    private static DefaultHttpContext Request(string method, string query, string? contentType, byte[]? body, bool sendLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query);
        context.Request.ContentType = contentType;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            if (sendLength)
            {
                context.Request.ContentLength = body.Length;
            }
        }
        return context;
    }

    private static Task<RequestParams> Read(DefaultHttpContext context, ParamLimits? limits = null) =>
        RequestParams.ReadAsync(context.Request, limits ?? ParamLimits.Default, CancellationToken.None);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Get_with_a_form_body_reads_the_body()
    {
        var context = Request("GET", "?page=2", "application/x-www-form-urlencoded", Utf8("auth_token=abc&contact[email]=a%40b.com"));

        var p = await Read(context);

        Assert.Equal("2", p.Str("page"));
        Assert.Equal("abc", p.Str("auth_token"));
        Assert.Equal("a@b.com", p.Hash("contact")!.Str("email"));
    }

    [Fact]
    public async Task Delete_with_a_form_body_reads_the_body()
    {
        var p = await Read(Request("DELETE", "", "application/x-www-form-urlencoded; charset=UTF-8", Utf8("id=7")));

        Assert.Equal("7", p.Str("id"));
    }

    [Fact]
    public async Task Form_body_keeps_pair_order_for_arrays_of_hashes()
    {
        var body = Utf8("o[][v]=1&o[][s]=7&o[][v]=2&o[][s]=8");

        var p = await Read(Request("POST", "", "application/x-www-form-urlencoded", body));

        Assert.Equal("""{"o":[{"v":"1","s":"7"},{"v":"2","s":"8"}]}""", p.Root.ToString());
    }

    [Fact]
    public async Task Json_body_is_merged_over_the_query()
    {
        var context = Request("PUT", "?auth_token=t&contact[email]=q@x.com&contact[name]=Q", "application/json; charset=utf-8",
            Utf8("""{"contact":{"email":"b@x.com"},"spend":25000.50}"""));

        var p = await Read(context);

        Assert.Equal("t", p.Str("auth_token"));
        Assert.Equal("b@x.com", p.Hash("contact")!.Str("email"));
        Assert.Equal("Q", p.Hash("contact")!.Str("name"));
        Assert.Equal("25000.50", p.Str("spend"));
    }

    [Fact]
    public async Task Plus_json_media_type_is_read_as_json()
    {
        var p = await Read(Request("POST", "", "application/vnd.velvet+json", Utf8("""{"a":1}""")));

        Assert.Equal("1", p.Str("a"));
    }

    [Fact]
    public async Task Empty_json_body_gives_the_query_only()
    {
        var p = await Read(Request("GET", "?a=1", "application/json", []));

        Assert.Equal("""{"a":"1"}""", p.Root.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    [InlineData("not a media type")]
    public async Task Body_of_missing_or_unknown_content_type_is_ignored(string? contentType)
    {
        var p = await Read(Request("POST", "?a=1", contentType, Utf8("b=2")));

        Assert.Equal("""{"a":"1"}""", p.Root.ToString());
    }

    [Fact]
    public async Task Malformed_json_body_is_a_400()
    {
        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("POST", "", "application/json", Utf8("{\"a\":"))));

        Assert.Equal("Malformed JSON body", e.Message);
    }

    [Fact]
    public async Task Body_over_the_limit_by_content_length_is_rejected_before_reading()
    {
        var body = new byte[10 * 1024 * 1024 + 1];
        var context = Request("POST", "", "application/x-www-form-urlencoded", body);

        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(context));

        Assert.Equal("Request body too large", e.Message);
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_rejected_while_reading()
    {
        var body = Utf8("a=" + new string('x', 10 * 1024 * 1024));

        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("POST", "", "application/x-www-form-urlencoded", body, sendLength: false)));

        Assert.Equal("Request body too large", e.Message);
    }

    [Fact]
    public async Task Ten_megabyte_json_body_within_the_limit_parses_one_large_value()
    {
        var json = "{\"blob\":\"" + new string('x', 10 * 1024 * 1024 - 12) + "\"}";

        var p = await Read(Request("POST", "", "application/json", Utf8(json)));

        Assert.Equal(10 * 1024 * 1024 - 12, p.Str("blob")!.Length);
    }

    [Fact]
    public async Task Ten_megabyte_form_body_of_many_keys_is_rejected_as_too_many()
    {
        var body = new StringBuilder();
        for (var i = 0; body.Length < 10 * 1024 * 1024 - 16; i++)
        {
            body.Append('k').Append(i).Append("=v&");
        }

        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("POST", "", "application/x-www-form-urlencoded", Utf8(body.ToString()))));

        Assert.Equal("Too many parameters", e.Message);
    }

    [Fact]
    public async Task Body_stays_readable_after_params_are_read()
    {
        var context = Request("POST", "", "application/json", Utf8("""{"a":1}"""));

        await Read(context);

        using var reader = new StreamReader(context.Request.Body);
        Assert.Equal("""{"a":1}""", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Multipart_text_fields_nest_and_files_are_exposed_by_field_name()
    {
        const string Boundary = "XyZ";
        var body = Utf8(
            "--XyZ\r\nContent-Disposition: form-data; name=\"contact[first_name]\"\r\n\r\nAnn\r\n" +
            "--XyZ\r\nContent-Disposition: form-data; name=\"ids[]\"\r\n\r\n1\r\n" +
            "--XyZ\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n" +
            "--XyZ\r\nContent-Disposition: form-data; name=\"ids[]\"\r\n\r\n2\r\n" +
            "--XyZ--\r\n");
        var context = Request("POST", "?auth_token=t", $"multipart/form-data; boundary={Boundary}", body);

        var p = await Read(context);

        Assert.Equal("""{"auth_token":"t","contact":{"first_name":"Ann"},"ids":["1","2"]}""", p.Root.ToString());
        var avatar = p.Files["avatar"];
        Assert.Equal("me.png", avatar.FileName);
        Assert.Equal("image/png", avatar.ContentType);
        using var reader = new StreamReader(avatar.OpenReadStream());
        Assert.Equal("PNGDATA", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Truncated_multipart_body_is_a_400()
    {
        var body = Utf8("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated");

        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("POST", "", "multipart/form-data; boundary=XyZ", body)));

        Assert.Equal("Malformed multipart body", e.Message);
    }

    [Fact]
    public async Task Multipart_without_a_boundary_is_a_400()
    {
        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("POST", "", "multipart/form-data", Utf8("x"))));

        Assert.Equal("Malformed multipart body", e.Message);
    }

    [Fact]
    public async Task Hundred_thousand_query_keys_are_a_400()
    {
        var query = "?" + string.Join('&', Enumerable.Range(0, 100_000).Select(i => $"k{i}=v"));

        var e = await Assert.ThrowsAsync<MalformedParamsException>(() => Read(Request("GET", query, null, null)));

        Assert.Equal("Too many parameters", e.Message);
    }

    [Fact]
    public async Task Bind_returns_the_instance_cached_for_the_request()
    {
        var context = Request("GET", "?a=1", null, null);

        var first = await RequestParams.GetOrReadAsync(context, ParamLimits.Default, CancellationToken.None);
        var bound = await RequestParams.BindAsync(context);

        Assert.Same(first, bound);
        Assert.Equal("1", bound!.Str("a"));
    }

    [Fact]
    public async Task Overlong_multipart_boundary_is_read_like_any_other()
    {
        var boundary = new string('b', 500);
        var body = Utf8($"--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--{boundary}--\r\n");

        var p = await Read(Request("POST", "", $"multipart/form-data; boundary={boundary}", body));

        Assert.Equal("1", p.Str("a"));
    }

    [Fact]
    public async Task Minimal_api_handler_binds_request_params_as_a_parameter()
    {
        var handler = RequestDelegateFactory.Create((RequestParams p) => p.Hash("contact")?.Str("email") ?? "none").RequestDelegate;
        var context = Request("GET", "", "application/x-www-form-urlencoded", Utf8("contact[email]=a@b.com"));
        context.RequestServices = new ServiceCollection().BuildServiceProvider();
        context.Response.Body = new MemoryStream();

        await handler(context);

        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body);
        Assert.Equal("a@b.com", await reader.ReadToEndAsync());
    }
}
