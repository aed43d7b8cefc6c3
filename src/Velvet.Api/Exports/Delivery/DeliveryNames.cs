using System.Security.Cryptography;

namespace Velvet.Api.Exports.Delivery;

internal static class DeliveryNames
{
    public const string TemporarySuffix = ".part";

    // Consumers poll the folder for finished files: the upload goes to a name
    // they ignore (another extension), unique so two deliveries of the same
    // file never write into each other, and is renamed when complete.
    public static string TemporaryName(string fileName) =>
        $"{fileName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}{TemporarySuffix}";

    public static void EnsureValidFileName(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName is "." or ".." ||
            fileName.IndexOfAny(['/', '\\', '\r', '\n', '\0']) >= 0)
        {
            throw new DeliveryException($"'{fileName}' is not a valid file name for delivery.", isTransient: false);
        }
    }

    // "/a/b/", "a//b" and "" all work; "." and ".." are refused so a target
    // cannot climb out of the folder it was given.
    public static IReadOnlyList<string> FolderSegments(string folder)
    {
        var segments = folder.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var segment in segments)
        {
            if (segment is "." or ".." || segment.IndexOfAny(['\r', '\n', '\0']) >= 0)
            {
                throw new DeliveryException($"'{folder}' is not a valid delivery folder.", isTransient: false);
            }
        }
        return segments;
    }

    public static bool IsAbsolute(string folder) => folder.StartsWith('/');
}
