using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Velvet.Api.Contacts;
using Velvet.Api.Exports.Delivery;
using Velvet.Api.Wire;

namespace Velvet.Api.Exports;

/// <summary><see cref="HostKey"/>: SFTP only, the pinned "SHA256:…" fingerprint of the server's host key.</summary>
internal sealed record FtpSettings(string Host, int Port, string UserName, string Folder, bool UseTls, bool AcceptAnyCertificate, string? HostKey = null);

/// <summary>A validated getchanges request. Stored as the job's parameters; the FTP password travels separately.</summary>
internal sealed partial record ExportSettings(
    string DistributionMethod,
    string Origin,
    IReadOnlyList<int> OriginIds,
    DateOnly StartDate,
    DateOnly EndDate,
    IReadOnlyList<int> ContactFields,
    char Delimiter,
    bool AddFieldNamesHeader,
    string Language,
    FtpSettings? Ftp)
{
    // The other methods are DeliveryTarget.Ftp and DeliveryTarget.Sftp: the worker hands the method on as the target's protocol.
    public const string Local = "local";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ExportSettings FromJson(string json) => JsonSerializer.Deserialize<ExportSettings>(json, Json)
        ?? throw new InvalidOperationException("Export parameters are empty");

    /// <summary>Same settings, same key (the 4001 rule compares these), from the settings serialised by <see cref="ToJson"/>.</summary>
    public static string Key(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    /// <summary>
    /// Seed 004's validation, in the order of its error table, with its messages verbatim.
    /// Returns the settings and the FTP password (null for local delivery).
    /// </summary>
    public static (ExportSettings Settings, string? Password) Validate(ParamHash p)
    {
        foreach (var name in (string[])["distribution_method", "time_range", "origin", "origin_id", "contact_fields"])
        {
            if (!p.Has(name) || p[name] is ParamValue { Value.Length: 0 })
            {
                throw Bad($"Missing parameter: {name}");
            }
        }

        // origin_id may be a lone value: the seed's own request example sends "origin_id":"123".
        foreach (var name in (string[])["time_range", "contact_fields"])
        {
            if (p[name] is not ParamList)
            {
                throw Bad($"Invalid data format for {name}. Array expected");
            }
        }

        var timeRange = p.List("time_range")!;
        if (timeRange.Count != 2)
        {
            throw Bad("Invalid data format for time_range. Array size must be 2");
        }

        var origin = p.Str("origin");
        if (origin is not (ContactOrigin.Form or ContactOrigin.Api))
        {
            throw Bad($"Invalid origin: {Text(p["origin"])}");
        }

        var originIds = new List<int>();
        foreach (var node in p["origin_id"] is ParamList list ? list.Items : [p["origin_id"]!])
        {
            if (node is not ParamValue value || !int.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw Bad("Invalid data format for origin_id. Integer expected");
            }

            originIds.Add(id);
        }

        if (originIds.Count == 0)
        {
            throw Bad("Invalid data format for origin_id. Integer expected");
        }

        var method = p.Str("distribution_method");
        if (method is not (Local or DeliveryTarget.Ftp or DeliveryTarget.Sftp))
        {
            throw Bad($"Invalid distribution method: {Text(p["distribution_method"])}");
        }

        var delimiter = ',';
        if (p.Has("delimiter"))
        {
            // One character that cannot be mistaken for quoting or a line break.
            var text = p.Str("delimiter");
            if (text is not { Length: 1 } || text[0] is '"' or '\r' or '\n' || char.IsLetterOrDigit(text[0]))
            {
                throw Bad($"Invalid value for delimiter: {Text(p["delimiter"])}");
            }

            delimiter = text[0];
        }

        var header = false;
        if (p.Has("add_field_names_header"))
        {
            var text = p.Str("add_field_names_header");
            if (text is not ("0" or "1"))
            {
                throw Bad($"Invalid value for add_field_names_header: {Text(p["add_field_names_header"])}");
            }

            header = text == "1";
        }

        var language = "en";
        if (p.Has("language"))
        {
            var text = p.Str("language");
            if (text is null || !Exports.ContactFields.Languages.Contains(text))
            {
                throw Bad($"Invalid value for language: {Text(p["language"])}");
            }

            language = text;
        }

        FtpSettings? ftp = null;
        string? password = null;
        if (method != Local)
        {
            (ftp, password) = ValidateFtp(p, method == DeliveryTarget.Sftp);
        }

        var fields = new List<int>();
        var invalid = new List<string>();
        foreach (var node in p.List("contact_fields")!)
        {
            if (node is ParamValue value && int.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && Exports.ContactFields.Find(id) is not null)
            {
                fields.Add(id);
            }
            else
            {
                invalid.Add(Text(node));
            }
        }

        if (invalid.Count > 0)
        {
            throw Bad($"Invalid contact field id: {string.Join(", ", invalid)}");
        }

        if (fields.Count == 0)
        {
            throw Bad("Invalid number of fields");
        }

        if (!TryDate(timeRange[0], out var start) || !TryDate(timeRange[1], out var end))
        {
            throw Bad("Valid start_date and end_date is required");
        }

        if (end < start)
        {
            throw Bad("Invalid value for end_date: end_date is earlier than the start_date");
        }

        return (new ExportSettings(method, origin, originIds, start, end, fields, delimiter, header, language, ftp), password);
    }

    private static (FtpSettings, string) ValidateFtp(ParamHash p, bool sftp)
    {
        var defaultPort = sftp ? 22 : 21;
        var ftp = p.Hash("ftp_settings") ?? throw (p.Has("ftp_settings")
            ? Bad($"Invalid value for ftp_settings: {Text(p["ftp_settings"])}")
            : Bad("Missing parameter: ftp_settings"));
        var host = ftp.Str("host");
        if (string.IsNullOrWhiteSpace(host) || host.Length > 255 || host.Any(char.IsWhiteSpace))
        {
            throw Bad($"Invalid value for ftp_settings.host: {Text(ftp["host"])}");
        }

        var port = defaultPort;
        if (ftp.Has("port"))
        {
            if (!int.TryParse(ftp.Str("port"), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw Bad($"Invalid value for ftp_settings.port: {Text(ftp["port"])}");
            }
        }

        var user = ftp.Str("username");
        if (string.IsNullOrEmpty(user))
        {
            throw Bad($"Invalid value for ftp_settings.username: {Text(ftp["username"])}");
        }

        // The password is never echoed, not even in an error message.
        var password = ftp.Str("password") ?? throw Bad("Invalid value for ftp_settings.password: (hidden)");
        var folder = ftp.Has("folder") ? ftp.Str("folder") : "";
        if (folder is null || folder.Length > 1000 || folder.Contains("..", StringComparison.Ordinal) || folder.Any(char.IsControl))
        {
            throw Bad($"Invalid value for ftp_settings.folder: {Text(ftp["folder"])}");
        }

        var tls = Flag(ftp, "ssl") || Flag(ftp, "tls");
        var acceptAny = Flag(ftp, "accept_any_certificate");
        string? hostKey = null;
        if (ftp.Has("host_key"))
        {
            // SHA-256 is 32 bytes: 43 base64 characters unpadded (ssh-keygen -l), 44 with the '='. SFTP only.
            hostKey = ftp.Str("host_key");
            if (!sftp || hostKey is null || !HostKeyFormat().IsMatch(hostKey))
            {
                throw Bad($"Invalid value for ftp_settings.host_key: {Text(ftp["host_key"])}");
            }

            hostKey = hostKey.TrimEnd('=');
        }

        return (new FtpSettings(host, port, user, folder, tls, acceptAny, hostKey), password);
    }

    private static bool Flag(ParamHash hash, string key)
    {
        if (!hash.Has(key))
        {
            return false;
        }

        return hash.Str(key) switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw Bad($"Invalid value for ftp_settings.{key}: {Text(hash[key])}"),
        };
    }

    private static bool TryDate(ParamNode node, out DateOnly date)
    {
        date = default;
        return node is ParamValue value
            && DateOnly.TryParseExact(value.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private static string Text(ParamNode? node) => node switch
    {
        ParamValue value => value.Value,
        null => "",
        _ => node.ToString(),
    };

    private static V2Exception Bad(string message) => V2Exception.BadRequest(message);

    [System.Text.RegularExpressions.GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}=?$")]
    private static partial System.Text.RegularExpressions.Regex HostKeyFormat();
}
