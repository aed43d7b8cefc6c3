using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Forms;
using Velvet.Api.Storage;
using Velvet.Api.Venues;

namespace Velvet.Api.Staff;

/// <summary>
/// Creating companies, venues, users, server keys and sign-up forms: the one way shared by the operator CLI, the demo data
/// and the tests' data builders.
/// </summary>
internal sealed class Accounts(VelvetDb db, PasswordHasher<User> hasher, IDataProtectionProvider protection, TimeProvider time)
{
    public const string V2SecretPurpose = "Velvet.ApiKey.V2Secret";

    public async Task<Company> AddCompanyAsync(string name, string timeZoneId, CancellationToken ct)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _))
        {
            throw new ArgumentException($"Unknown time zone '{timeZoneId}'", nameof(timeZoneId));
        }

        var company = new Company { Name = name, TimeZoneId = timeZoneId, CreatedAt = Now };
        db.Companies.Add(company);
        await db.SaveChangesAsync(ct);
        return company;
    }

    public async Task<Venue> AddVenueAsync(int companyId, string name, string? venueType, CancellationToken ct)
    {
        var venue = new Venue { CompanyId = companyId, Name = name, VenueType = venueType, CreatedAt = Now };
        db.Venues.Add(venue);
        await db.SaveChangesAsync(ct);
        return venue;
    }

    public async Task<User> AddUserAsync(int companyId, string email, string password, string firstName, string? lastName,
        string? department, Permissions permissions, IReadOnlyList<int> venueIds, int? homeVenueId, CancellationToken ct)
    {
        var normalized = User.NormalizeEmail(email);
        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.Email == normalized, ct))
        {
            throw new ArgumentException($"A user with e-mail {normalized} already exists", nameof(email));
        }

        var foreign = venueIds.Except(await db.Venues.IgnoreQueryFilters().Where(v => v.CompanyId == companyId)
            .Select(v => v.Id).ToListAsync(ct)).ToList();
        if (foreign.Count > 0)
        {
            throw new ArgumentException($"Venues {string.Join(", ", foreign)} do not belong to company {companyId}", nameof(venueIds));
        }

        var user = new User
        {
            CompanyId = companyId,
            Email = normalized,
            PasswordHash = "",
            FirstName = firstName,
            LastName = lastName,
            DepartmentName = department,
            Permissions = permissions,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        var home = homeVenueId ?? (venueIds.Count > 0 ? venueIds[0] : 0);
        foreach (var venueId in venueIds.Distinct())
        {
            user.Venues.Add(new UserVenue { CompanyId = companyId, VenueId = venueId, Home = venueId == home });
        }

        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<bool> SetActiveAsync(string email, bool active, CancellationToken ct)
    {
        var normalized = User.NormalizeEmail(email);
        var user = await db.Users.IgnoreQueryFilters().FirstOrDefaultAsync(u => u.Email == normalized, ct);
        if (user is null)
        {
            return false;
        }

        user.Active = active;
        user.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>A server key. Null token/secret generate fresh ones; the caller shows them once.</summary>
    public async Task<(ApiKey Key, string Token, string Secret)> AddApiKeyAsync(int companyId, string name,
        string? token, string? v2UserName, string? secret, CancellationToken ct)
    {
        token ??= Secrets.NewToken();
        secret ??= Secrets.NewToken();
        var key = new ApiKey
        {
            CompanyId = companyId,
            Name = name,
            TokenHash = Secrets.Hash(token),
            V2UserName = v2UserName ?? "key-" + Secrets.NewToken()[..10].ToLowerInvariant(),
            V2SecretProtected = protection.CreateProtector(V2SecretPurpose).Protect(secret),
            CreatedAt = Now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (key, token, secret);
    }

    /// <summary>A public sign-up form. A null token generates a fresh one; the caller shows it once.</summary>
    public async Task<(SignupForm Form, string Token)> AddSignupFormAsync(int companyId, string name, string? type, string? token,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A form needs a name", nameof(name));
        }

        type = string.IsNullOrWhiteSpace(type) ? SignupForm.DefaultType : type.Trim();
        token ??= Secrets.NewToken();
        var form = new SignupForm
        {
            CompanyId = companyId,
            Name = name.Trim(),
            Type = type,
            TokenHash = Secrets.Hash(token),
            CreatedAt = Now,
        };
        db.SignupForms.Add(form);
        await db.SaveChangesAsync(ct);
        return (form, token);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
