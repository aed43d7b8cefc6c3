using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Velvet.Api.Exports;

/// <summary>
/// A WSSE nonce already used by a key. The primary key (key id, nonce) makes a replay fail on insert,
/// so the rule holds across server processes sharing the database; rows past <see cref="ExpiresAt"/>
/// can go, because their Created is outside the window by then.
/// </summary>
internal sealed class WsseNonce
{
    public int ApiKeyId { get; set; }

    public required string Nonce { get; set; }

    public DateTime ExpiresAt { get; set; }
}

internal sealed class WsseNonceConfiguration : IEntityTypeConfiguration<WsseNonce>
{
    public void Configure(EntityTypeBuilder<WsseNonce> builder)
    {
        builder.HasKey(n => new { n.ApiKeyId, n.Nonce });
        builder.Property(n => n.Nonce).HasMaxLength(200);
        builder.HasIndex(n => n.ExpiresAt);
        builder.HasOne<Velvet.Api.Auth.ApiKey>().WithMany().HasForeignKey(n => n.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
