using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Staff;
using Velvet.Api.Storage;

namespace Velvet.Api.Contacts;

/// <summary>Which user owns a contact at which venue (one owner per contact and venue).</summary>
internal sealed class ContactOwner : IVenueBound
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int ContactId { get; set; }

    public int VenueId { get; set; }

    public int UserId { get; set; }
}

internal sealed class ContactOwnerConfiguration : IEntityTypeConfiguration<ContactOwner>
{
    public void Configure(EntityTypeBuilder<ContactOwner> builder)
    {
        builder.HasIndex(o => new { o.ContactId, o.VenueId }).IsUnique();
        builder.HasIndex(o => o.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Venues.Venue>().WithMany().HasForeignKey(o => o.VenueId).OnDelete(DeleteBehavior.Cascade);
    }
}
