using System.Net.Http.Headers;
using SkiaSharp;
using Velvet.Api.Profile;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Profile;

public abstract class ProfileAvatarTests(VelvetApp app) : IntegrationTest(app)
{
    private async Task<Reply> PutAvatarAsync(string token, byte[] content, string fileName)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "auth_token" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "avatar", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/profile.json") { Content = form };
        return await Api.SendRaw(request);
    }

    internal static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.OrangeRed);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [DbFact]
    public async Task Avatar_upload_stores_renditions_served_under_uploads()
    {
        var world = await TestWorld.CreateAsync(App);

        var user = (await PutAvatarAsync(world.HostToken, Png(300, 200), "me.png")).AssertOk().Json;

        var photo = user.GetProperty("user_image").GetProperty("photo");
        foreach (var (key, size) in new[] { ("thumb_100", 100), ("mobile_thumb", 64), ("thumb_200", 200) })
        {
            var url = photo.GetProperty(key).GetProperty("url").GetString()!;
            Assert.StartsWith($"/uploads/users/{world.Host.Id}/", url, StringComparison.Ordinal);
            var image = await Api.Http.GetByteArrayAsync(url);
            using var bitmap = SKBitmap.Decode(image);
            Assert.Equal((size, size), (bitmap.Width, bitmap.Height));
        }

        var profile = (await Api.Get("/api/v1/profile", ("auth_token", world.HostToken))).AssertOk().Json;
        Assert.Equal(photo.GetProperty("url").GetString(), profile.GetProperty("user_image").GetProperty("photo").GetProperty("url").GetString());
    }

    [DbFact]
    public async Task Avatar_must_be_a_jpeg_or_png_of_at_most_5_MB()
    {
        var world = await TestWorld.CreateAsync(App);
        (await PutAvatarAsync(world.HostToken, "GIF89a not really"u8.ToArray(), "x.png")).AssertError(400);
        var big = new byte[Avatar.MaxBytes + 1];
        Png(2, 2).CopyTo(big, 0);
        (await PutAvatarAsync(world.HostToken, big, "big.png")).AssertError(400);
        (await Api.Put("/api/v1/profile", ("auth_token", world.HostToken))).AssertError(400);
    }
}

/// <summary>No server needed: runs once, not per engine.</summary>
public sealed class AvatarFormatTests
{
    [Fact]
    public void Magic_bytes_decide_the_format()
    {
        Assert.True(Avatar.IsJpegOrPng([0xFF, 0xD8, 0xFF, 0xE0]));
        Assert.True(Avatar.IsJpegOrPng(ProfileAvatarTests.Png(1, 1)));
        Assert.False(Avatar.IsJpegOrPng("<svg"u8));
    }
}

public sealed class ProfileAvatarTests_Sqlite(SqliteApp app) : ProfileAvatarTests(app), IClassFixture<SqliteApp>;

public sealed class ProfileAvatarTests_Postgres(PostgresApp app) : ProfileAvatarTests(app), IClassFixture<PostgresApp>;
