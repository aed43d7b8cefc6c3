using Microsoft.Extensions.FileProviders;
using SkiaSharp;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Profile;

/// <summary>
/// An uploaded picture stored as the renditions the apps ask for (PhotoJson's URLs): the original
/// re-encoded as JPEG (which also drops its metadata) and square thumbnails of 100, 64 and 200 pixels.
/// </summary>
internal static class Avatar
{
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>Decoding cost grows with pixels, not bytes: a small PNG can declare a huge canvas.</summary>
    public const long MaxPixels = 40_000_000;

    private static readonly (string Name, int Size)[] Thumbnails = [("thumb_100", 100), ("mobile_thumb", 64), ("thumb_200", 200)];

    /// <summary>JPEG or PNG by their magic bytes; the file name and declared content type are not trusted.</summary>
    public static bool IsJpegOrPng(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    /// <summary>Validates and writes the renditions under uploads/{folder}/{version}; returns that base path.</summary>
    public static async Task<string> SaveAsync(IFormFile file, VelvetOptions options, string folder, DateTime now, CancellationToken ct)
    {
        if (file.Length > MaxBytes)
        {
            throw ApiException.Invalid(new Dictionary<string, string[]> { ["avatar"] = ["is too large (maximum 5 MB)"] });
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        if (!IsJpegOrPng(bytes))
        {
            throw NotAnImage();
        }

        using var codec = SKCodec.Create(new SKMemoryStream(bytes)) ?? throw NotAnImage();
        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            throw ApiException.Invalid(new Dictionary<string, string[]> { ["avatar"] = ["has too many pixels"] });
        }

        using var bitmap = SKBitmap.Decode(codec) ?? throw NotAnImage();
        // A new folder per upload: cached URLs of the previous picture never show the new one half-written.
        var basePath = $"{folder}/{now.Ticks}";
        var directory = options.DataPath("uploads", basePath);
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "original.jpg"), Encode(bitmap, bitmap.Width, bitmap.Height, crop: false), ct);
        foreach (var (name, size) in Thumbnails)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, name + ".jpg"), Encode(bitmap, size, size, crop: true), ct);
        }

        return basePath;
    }

    /// <summary>Removes a previous upload's folder; a failure leaves an orphan, never a broken profile.</summary>
    public static void Delete(VelvetOptions options, string? basePath)
    {
        if (basePath is null)
        {
            return;
        }

        try
        {
            Directory.Delete(options.DataPath("uploads", basePath), recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Serves DataDir/uploads at /uploads (the renditions PhotoJson links to), without a token, as Rails' public folder did.</summary>
    public static IApplicationBuilder UseUploads(this IApplicationBuilder app, VelvetOptions options)
    {
        var root = options.DataPath("uploads");
        Directory.CreateDirectory(root);
        return app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), RequestPath = "/uploads" });
    }

    private static ApiException NotAnImage() =>
        ApiException.Invalid(new Dictionary<string, string[]> { ["avatar"] = ["must be a JPEG or PNG image"] });

    private static byte[] Encode(SKBitmap source, int width, int height, bool crop)
    {
        var side = Math.Min(source.Width, source.Height);
        var from = crop
            ? SKRect.Create((source.Width - side) / 2f, (source.Height - side) / 2f, side, side)
            : SKRect.Create(0, 0, source.Width, source.Height);
        using var surface = SKSurface.Create(new SKImageInfo(width, height)) ?? throw NotAnImage();
        // JPEG has no alpha: transparent PNG areas become white rather than black.
        surface.Canvas.Clear(SKColors.White);
        using var image = SKImage.FromBitmap(source);
        surface.Canvas.DrawImage(image, from, SKRect.Create(0, 0, width, height), new SKSamplingOptions(SKCubicResampler.Mitchell), null);
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }
}
