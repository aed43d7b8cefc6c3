using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Venues;

internal sealed class Venue : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public required string Name { get; set; }

    public string? Email { get; set; }

    public string? Location { get; set; }

    public double? Longitude { get; set; }

    public double? Latitude { get; set; }

    public string? Phone { get; set; }

    public string? Website { get; set; }

    public string? Facebook { get; set; }

    public string? Twitter { get; set; }

    public string? Instagram { get; set; }

    public string? VenueType { get; set; }

    public string? Description { get; set; }

    public string? LogoPath { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class VenueConfiguration : IEntityTypeConfiguration<Venue>
{
    public void Configure(EntityTypeBuilder<Venue> builder)
    {
        builder.Property(v => v.Name).HasMaxLength(200);
        builder.HasOne<Company>().WithMany().HasForeignKey(v => v.CompanyId);
        builder.HasIndex(v => v.CompanyId);
    }
}
