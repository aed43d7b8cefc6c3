using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Contacts;

/// <summary>
/// Who changed a contact, how and when: one row per create, update and destroy, written in the same
/// transaction as the change. The v2 export ("contacts changed from origin X between two days") reads it.
/// </summary>
internal sealed class ContactChange : ICompanyOwned
{
    public long Id { get; set; }

    public int CompanyId { get; set; }

    public int ContactId { get; set; }

    /// <summary>create, update or destroy.</summary>
    public required string Action { get; set; }

    /// <summary>"api" (an app — origin id = app_id 1, 2, 3 — or a server key) or "form" (a public sign-up form).</summary>
    public required string Origin { get; set; }

    /// <summary>The app_id (1–3) for the apps, <see cref="ContactOrigin.ServerKeyOriginOffset"/> + key id for server keys, the form id for forms.</summary>
    public int OriginId { get; set; }

    public DateTime ChangedAt { get; set; }
}

/// <summary>The numbering of change origins shared by capture and by the v2 source and form lists.</summary>
internal static class ContactOrigin
{
    public const string Api = "api";
    public const string Form = "form";

    /// <summary>Server keys are API sources too; their ids start here so they never collide with app ids 1–3.</summary>
    public const int ServerKeyOriginOffset = 1000;

    /// <summary>Changes with no app and no key (web app, CLI, background jobs) are recorded as source 0.</summary>
    public const int Unknown = 0;
}

internal sealed class ContactChangeConfiguration : IEntityTypeConfiguration<ContactChange>
{
    public void Configure(EntityTypeBuilder<ContactChange> builder)
    {
        builder.Property(c => c.Action).HasMaxLength(10);
        builder.Property(c => c.Origin).HasMaxLength(10);
        builder.HasIndex(c => new { c.CompanyId, c.Origin, c.OriginId, c.ChangedAt });
        builder.HasIndex(c => c.ContactId);
    }
}
