using Velvet.Api.Staff;
using Velvet.Api.Wire;

namespace Velvet.Api.Auth;

/// <summary>Who is calling: a signed-in user on a device, or a server-to-server key. Scoped per request.</summary>
internal sealed class Caller
{
    public int CompanyId { get; private set; }

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public int? UserId { get; private set; }

    public int? DeviceId { get; private set; }

    public int? ApiKeyId { get; private set; }

    /// <summary>applications.md's app_id of the signing-in app (1 iOS, 2 Android, 3 iPad), when known.</summary>
    public int? AppId { get; private set; }

    public Permissions Permissions { get; private set; } = new();

    public int RequireUserId() =>
        UserId ?? throw ApiException.BadRequest("This action needs a signed-in user, not a server key");

    public void SignedInUser(User user, Device device, TimeZoneInfo zone)
    {
        CompanyId = user.CompanyId;
        Zone = zone;
        UserId = user.Id;
        DeviceId = device.Id;
        AppId = device.AppId;
        Permissions = user.Permissions;
    }

    public void ServerKey(ApiKey key, TimeZoneInfo zone)
    {
        CompanyId = key.CompanyId;
        Zone = zone;
        ApiKeyId = key.Id;
        // A server key acts for the whole company, as the web app's settings page grants it.
        Permissions = Permissions.All();
    }

    public bool Can(string className, string ability) => Permissions.Can(className, ability);

    /// <summary>Answers 401 "User has no permissions for this action" (response_codes.md) when the ability is missing.</summary>
    public void Require(string className, string ability)
    {
        if (!Can(className, ability))
        {
            throw ApiException.NoPermission();
        }
    }

    public DateTimeOffset Local(DateTime utc) => WireTime.ToZone(utc, Zone);

    public DateTimeOffset? Local(DateTime? utc) => WireTime.ToZone(utc, Zone);
}
