using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;
using Velvet.Api.Venues;

namespace Velvet.Api.Staff;

/// <summary>A user works at a venue; exactly one of a user's links is the home venue.</summary>
internal sealed class UserVenue : IVenueBound
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int UserId { get; set; }

    public int VenueId { get; set; }

    public bool Home { get; set; }

    public Venue? Venue { get; set; }
}

internal sealed class UserVenueConfiguration : IEntityTypeConfiguration<UserVenue>
{
    public void Configure(EntityTypeBuilder<UserVenue> builder)
    {
        builder.HasIndex(v => new { v.UserId, v.VenueId }).IsUnique();
        builder.HasOne(v => v.Venue).WithMany().HasForeignKey(v => v.VenueId).OnDelete(DeleteBehavior.Cascade);
    }
}
