using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Contacts;

/// <summary>A contact's status at one venue: qualified, unqualified or disqualified.</summary>
internal sealed class ContactQualification : IVenueBound
{
    public static readonly IReadOnlyList<string> Statuses = ["qualified", "unqualified", "disqualified"];

    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int ContactId { get; set; }

    public int VenueId { get; set; }

    public required string Status { get; set; }
}

internal sealed class ContactQualificationConfiguration : IEntityTypeConfiguration<ContactQualification>
{
    public void Configure(EntityTypeBuilder<ContactQualification> builder)
    {
        builder.Property(q => q.Status).HasMaxLength(20);
        builder.HasIndex(q => new { q.ContactId, q.VenueId }).IsUnique();
        builder.HasOne<Venues.Venue>().WithMany().HasForeignKey(q => q.VenueId).OnDelete(DeleteBehavior.Cascade);
    }
}
