using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Auth;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Venues;

namespace Velvet.Tests.Infrastructure;

/// <summary>
/// A company of its own for one test: two venues, an admin at both, a host at the first only with
/// limited permissions, a server key, and signed-in devices for the users. Names are unique per world,
/// so tests sharing a server never see each other's data.
/// </summary>
internal sealed class TestWorld
{
    public const string Password = "correct-horse-battery";

    public required Company Company { get; init; }

    public required Venue VenueA { get; init; }

    public required Venue VenueB { get; init; }

    public required User Admin { get; init; }

    public required User Host { get; init; }

    public required string AdminToken { get; init; }

    public required string HostToken { get; init; }

    public required string ServerToken { get; init; }

    public required string V2User { get; init; }

    public required string V2Secret { get; init; }

    public required ApiKey ServerKey { get; init; }

    public static async Task<TestWorld> CreateAsync(VelvetApp app, string timeZone = "America/Los_Angeles")
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        return await app.WithDbAsync(async (db, services) =>
        {
            var accounts = services.GetRequiredService<Accounts>();
            var company = await accounts.AddCompanyAsync("Company " + tag, timeZone, default);
            var venueA = await accounts.AddVenueAsync(company.Id, "Alpha " + tag, "Nightclub", default);
            var venueB = await accounts.AddVenueAsync(company.Id, "Bravo " + tag, "Lounge", default);
            var admin = await accounts.AddUserAsync(company.Id, $"admin-{tag}@example.com", Password, "Ada", "Admin", "Management",
                Permissions.All(), [venueA.Id, venueB.Id], venueA.Id, default);
            var hostPermissions = new Permissions().Grant("Contact", Permissions.Read, Permissions.Create, Permissions.Update)
                .Grant("Task", Permissions.Manage).Grant("Reservation", Permissions.Manage).Grant("Guestlist", Permissions.Manage)
                .Grant("Note", Permissions.Read, Permissions.Create).Grant("Tag", Permissions.Read);
            var host = await accounts.AddUserAsync(company.Id, $"host-{tag}@example.com", Password, "Hal", "Host", "VIP Host",
                hostPermissions, [venueA.Id], venueA.Id, default);
            var (key, serverToken, secret) = await accounts.AddApiKeyAsync(company.Id, "Key " + tag, null, "v2-" + tag, null, default);
            return new TestWorld
            {
                Company = company,
                VenueA = venueA,
                VenueB = venueB,
                Admin = admin,
                Host = host,
                AdminToken = await SignInDeviceAsync(db, admin, "admin-device-" + tag, appId: 1),
                HostToken = await SignInDeviceAsync(db, host, "host-device-" + tag, appId: 2),
                ServerToken = serverToken,
                ServerKey = key,
                V2User = key.V2UserName!,
                V2Secret = secret,
            };
        });
    }

    /// <summary>A device signed in without the password round trip (the tokens endpoints are tested on their own).</summary>
    internal static async Task<string> SignInDeviceAsync(VelvetDb db, User user, string deviceToken, int? appId)
    {
        var token = Secrets.NewToken();
        db.Devices.Add(new Device
        {
            CompanyId = user.CompanyId,
            UserId = user.Id,
            DeviceToken = deviceToken,
            AppId = appId,
            MobileOs = appId == 2 ? "android" : "ios",
            TokenHash = Secrets.Hash(token),
            CreatedAt = DateTime.UtcNow,
            LastUsedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return token;
    }
}

/// <summary>Base of integration test classes: the app of one engine and a client on it.</summary>
public abstract class IntegrationTest(VelvetApp app)
{
    public VelvetApp App { get; } = app;

    public ApiClient Api { get; } = new(app.CreateClient());
}
