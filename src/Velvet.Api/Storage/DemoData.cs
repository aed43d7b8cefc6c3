using Microsoft.EntityFrameworkCore;
using Velvet.Api.Staff;

namespace Velvet.Api.Storage;

/// <summary>
/// The data a newcomer signs in to on first start (README lists it). Runs only on an empty database,
/// so restarting never duplicates it and real data is never touched.
/// </summary>
internal sealed class DemoData(VelvetDb db, Accounts accounts, ILogger<DemoData> logger)
{
    public const string AdminEmail = "admin@velvet.test";
    public const string AdminPassword = "velvet-admin";
    public const string HostEmail = "host@velvet.test";
    public const string HostPassword = "velvet-host";
    public const string HarborEmail = "owner@harbor.test";
    public const string HarborPassword = "harbor-owner";
    public const string ServerKeyToken = "demo-server-key";
    public const string SignupFormToken = "demo-signup-form";

    public async Task SeedIfEmptyAsync(CancellationToken ct)
    {
        db.Tenant.UseSystem();
        if (await db.Companies.AnyAsync(ct))
        {
            return;
        }

        var demo = await accounts.AddCompanyAsync("Demo Nightlife Group", "America/Los_Angeles", ct);
        var velvetRoom = await accounts.AddVenueAsync(demo.Id, "Velvet Room", "Nightclub", ct);
        var skyline = await accounts.AddVenueAsync(demo.Id, "Skyline Lounge", "Lounge", ct);
        var admin = await accounts.AddUserAsync(demo.Id, AdminEmail, AdminPassword, "Avery", "Admin", "Management",
            Permissions.All(), [velvetRoom.Id, skyline.Id], velvetRoom.Id, ct);
        var hostPermissions = new Permissions()
            .Grant("Contact", Permissions.Read, Permissions.Manage)
            .Grant("Reservation", Permissions.Read, Permissions.Manage)
            .Grant("Guestlist", Permissions.Read, Permissions.Manage)
            .Grant("Task", Permissions.Read, Permissions.Manage)
            .Grant("Note", Permissions.Read, Permissions.Create)
            .Grant("LogMethod", Permissions.Read, Permissions.Create)
            .Grant("Tag", Permissions.Read)
            .Grant("Event", Permissions.Read);
        await accounts.AddUserAsync(demo.Id, HostEmail, HostPassword, "Harper", "Host", "VIP Host",
            hostPermissions, [velvetRoom.Id], velvetRoom.Id, ct);
        await accounts.AddApiKeyAsync(demo.Id, "Demo server key", ServerKeyToken, "demo", "demo-secret", ct);
        await accounts.AddSignupFormAsync(demo.Id, "Website sign-up", null, SignupFormToken, ct);

        var harbor = await accounts.AddCompanyAsync("Harbor Hospitality", "America/New_York", ct);
        var pier9 = await accounts.AddVenueAsync(harbor.Id, "Pier 9", "Lounge", ct);
        var harborOwner = await accounts.AddUserAsync(harbor.Id, HarborEmail, HarborPassword, "Morgan", "Owner", "Management",
            Permissions.All(), [pier9.Id], pier9.Id, ct);

        await Contacts.DemoContacts.SeedAsync(db, demo.Id, admin.Id, [velvetRoom.Id, skyline.Id], 12, DateTime.UtcNow, ct);
        await Contacts.DemoContacts.SeedAsync(db, harbor.Id, harborOwner.Id, [pier9.Id], 3, DateTime.UtcNow, ct);

        logger.LogInformation("Demo data created: companies {Demo} and {Harbor}", demo.Name, harbor.Name);
    }
}
