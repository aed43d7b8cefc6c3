using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Velvet.Api.Exports;

/// <summary>
/// The X-WSSE UsernameToken of the original v2 API (SPEC §5). Pure functions, so parsing and the digest
/// are unit-tested without a host.
/// </summary>
internal sealed partial record WsseToken(string UserName, string PasswordDigest, string Nonce, string Created)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Reads the key="value" pairs wherever they are: real clients drop the "UsernameToken" prefix, separate
    /// pairs with ", " or "," or spaces, and vary the case of the keys. Null when a pair is missing.
    /// </summary>
    public static WsseToken? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in Pair().Matches(header))
        {
            var value = match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["bare"].Value;
            pairs.TryAdd(match.Groups["key"].Value, value);
        }

        return pairs.TryGetValue("Username", out var user) && pairs.TryGetValue("PasswordDigest", out var digest)
            && pairs.TryGetValue("Nonce", out var nonce) && pairs.TryGetValue("Created", out var created)
            && user.Length > 0 && digest.Length > 0 && nonce.Length > 0
            ? new WsseToken(user, digest, nonce, created)
            : null;
    }

    /// <summary>base64 of the lowercase hex text of sha1(nonce + created + secret) — the hex text, not the raw hash.</summary>
    public static string Digest(string nonce, string created, string secret)
    {
        // SHA-1 is what deployed v2 clients compute; the protocol, not a choice of ours.
#pragma warning disable CA5350
        var hex = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(nonce + created + secret)));
#pragma warning restore CA5350
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(hex));
    }

    /// <summary>Constant-time, so the comparison does not tell an attacker how many leading characters matched.</summary>
    public bool DigestMatches(string secret) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(Digest(Nonce, Created, secret)), Encoding.UTF8.GetBytes(PasswordDigest));

    /// <summary>Created in ISO 8601 with any offset, no further than <see cref="Window"/> from now in either direction.</summary>
    public bool IsFresh(DateTimeOffset now, out DateTimeOffset created)
    {
        if (!DateTimeOffset.TryParse(Created, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out created))
        {
            return false;
        }

        return (now - created).Duration() <= Window;
    }

    public override string ToString() => $"WsseToken {{ UserName = {UserName}, Nonce = {Nonce}, Created = {Created} }}";

    [GeneratedRegex("""(?<key>[A-Za-z]+)\s*=\s*(?:"(?<quoted>[^"]*)"|(?<bare>[^,\s"]+))""", RegexOptions.CultureInvariant)]
    private static partial Regex Pair();
}
