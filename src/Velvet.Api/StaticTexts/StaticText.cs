using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.StaticTexts;

/// <summary>static_texts.md: the company's terms and privacy texts, by type.</summary>
internal sealed class StaticText : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    /// <summary>terms or privacy.</summary>
    public required string Type { get; set; }

    public string Text { get; set; } = "";
}

internal sealed class StaticTextConfiguration : IEntityTypeConfiguration<StaticText>
{
    public void Configure(EntityTypeBuilder<StaticText> builder)
    {
        builder.Property(s => s.Type).HasMaxLength(20);
        builder.Property(s => s.Text).HasMaxLength(100_000);
        builder.HasIndex(s => new { s.CompanyId, s.Type }).IsUnique();
    }
}

/// <summary>The page documents no hash for static texts; the apps store id, type and text.</summary>
internal sealed record StaticTextJson(int Id, string Type, string Text)
{
    public static StaticTextJson From(StaticText s) => new(s.Id, s.Type, s.Text);
}
