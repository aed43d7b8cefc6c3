using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Tags;

/// <summary>tags.md: a tag lives in a category; categories form a tree through ancestry.</summary>
internal sealed class Tag : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int TagCategoryId { get; set; }

    public required string Name { get; set; }
}

internal sealed class TagCategory : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    /// <summary>Rails ancestry: the ids of the ancestors joined with "/", null at the root.</summary>
    public string? Ancestry { get; set; }

    public required string Name { get; set; }

    public List<Tag> Tags { get; set; } = [];
}

/// <summary>A tag bound to a contact (contact's tag_ids).</summary>
internal sealed class ContactTag : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int ContactId { get; set; }

    public int TagId { get; set; }
}

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.HasOne<Company>().WithMany().HasForeignKey(t => t.CompanyId);
    }
}

internal sealed class TagCategoryConfiguration : IEntityTypeConfiguration<TagCategory>
{
    public void Configure(EntityTypeBuilder<TagCategory> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Ancestry).HasMaxLength(200);
        builder.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.TagCategoryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId);
    }
}

internal sealed class ContactTagConfiguration : IEntityTypeConfiguration<ContactTag>
{
    public void Configure(EntityTypeBuilder<ContactTag> builder)
    {
        builder.HasIndex(t => new { t.ContactId, t.TagId }).IsUnique();
        builder.HasOne<Tag>().WithMany().HasForeignKey(t => t.TagId).OnDelete(DeleteBehavior.Cascade);
    }
}
