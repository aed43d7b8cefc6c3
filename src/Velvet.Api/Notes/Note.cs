using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Notes;

/// <summary>notes.md: a short comment on a contact, task, reservation or guestlist, written by a user.</summary>
internal sealed class Note : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public required string Text { get; set; }

    public int? UserId { get; set; }

    public int? ContactId { get; set; }

    public int? TaskId { get; set; }

    public int? ReservationId { get; set; }

    public int? GuestlistId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class NoteConfiguration : IEntityTypeConfiguration<Note>
{
    public void Configure(EntityTypeBuilder<Note> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(10_000);
        builder.HasIndex(n => n.ContactId);
        builder.HasOne<Contacts.Contact>().WithMany().HasForeignKey(n => n.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}
