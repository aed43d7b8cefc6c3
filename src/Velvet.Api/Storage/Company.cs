using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Velvet.Api.Storage;

/// <summary>The tenant: every record belongs to exactly one company.</summary>
internal sealed class Company
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>IANA zone id; every time the API writes is shown in it.</summary>
    public required string TimeZoneId { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.TimeZoneId).HasMaxLength(64);
    }
}
