using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Tasks;

/// <summary>
/// tasks.md: a follow-up for a user (the assignee, user_id), created by owner_id. Named CrmTask so it never
/// shadows System.Threading.Tasks.Task; the apps know the class as "Task".
/// </summary>
internal sealed class CrmTask : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    /// <summary>The assignee: Last Changes delivers a task to this user's devices only.</summary>
    public int UserId { get; set; }

    public int? OwnerId { get; set; }

    public int? ContactId { get; set; }

    public int? VenueId { get; set; }

    public int? ReservationId { get; set; }

    public int? EventId { get; set; }

    public DateTime? Date { get; set; }

    public string? Category { get; set; }

    public string? Kind { get; set; }

    /// <summary>incomplete or complete.</summary>
    public string State { get; set; } = "incomplete";

    public DateTime? CompletedAt { get; set; }

    public string? ReservationStage { get; set; }

    public string? CompleteMethod { get; set; }

    public string? Result { get; set; }

    public string? ContactName { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class CrmTaskConfiguration : IEntityTypeConfiguration<CrmTask>
{
    public void Configure(EntityTypeBuilder<CrmTask> builder)
    {
        builder.ToTable("Tasks");
        builder.Property(t => t.State).HasMaxLength(20);
        builder.Property(t => t.Category).HasMaxLength(100);
        builder.Property(t => t.Kind).HasMaxLength(100);
        builder.Property(t => t.ReservationStage).HasMaxLength(20);
        builder.Property(t => t.CompleteMethod).HasMaxLength(20);
        builder.Property(t => t.ContactName).HasMaxLength(201);
        builder.HasIndex(t => new { t.CompanyId, t.UserId });
    }
}
