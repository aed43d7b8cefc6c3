using System.Globalization;
using System.Text;

namespace Velvet.Api.Exports.Delivery;

/// <summary>Where a file goes. <see cref="HostKey"/>: the SFTP server's pinned SHA-256 fingerprint ("SHA256:…", as ssh-keygen -l prints it), or null.</summary>
internal sealed record DeliveryTarget(
    string Protocol,
    string Host,
    int Port,
    string UserName,
    string Password,
    string Folder,
    bool UseTls,
    bool AcceptAnyCertificate,
    string? HostKey = null)
{
    public const string Ftp = "ftp";
    public const string Sftp = "sftp";

    // A record prints every property; targets end up in log scopes and
    // exception messages, and the password must never be among them (SPEC 5).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Protocol = {Protocol}, Host = {Host}, Port = {Port}, UserName = {UserName}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Password = ***, Folder = {Folder}, UseTls = {UseTls}, AcceptAnyCertificate = {AcceptAnyCertificate}, HostKey = {HostKey}");
        return true;
    }
}
