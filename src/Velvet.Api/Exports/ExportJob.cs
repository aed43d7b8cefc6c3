using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Exports;

/// <summary>
/// One getchanges request and its progress. A row in the database, so jobs survive restarts and any
/// server process sharing the database can work them (see docs/exports.md for the claim protocol).
/// </summary>
internal sealed class ExportJob : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    /// <summary>The validated <see cref="ExportSettings"/> as JSON — never the FTP password.</summary>
    public required string Parameters { get; set; }

    /// <summary>
    /// SHA-256 of <see cref="Parameters"/> while the job is scheduled, in progress or ready; null after.
    /// A unique index on (company, active key) is what makes 4001 hold across processes.
    /// </summary>
    public string? ActiveKey { get; set; }

    /// <summary>Data Protection ciphertext of the FTP password, wiped when the job ends either way.</summary>
    public string? FtpPasswordProtected { get; set; }

    /// <summary>local, ftp or sftp.</summary>
    public required string Type { get; set; }

    public string Status { get; set; } = ExportStatus.Scheduled;

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int Progress { get; set; }

    public int RowCount { get; set; }

    public string? Error { get; set; }

    /// <summary>
    /// Follows from the id, so a job is complete from its first insert: a worker on any node may claim it at once.
    /// </summary>
    public string FileName => $"velvet_changes_{Id}.csv";

    public string? FtpHost { get; set; }

    public string? FtpDir { get; set; }

    /// <summary>The worker instance holding the job; with <see cref="LeaseUntil"/>, the claim.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Renewed while the worker runs; a job past it belongs to a dead process and is recovered.</summary>
    public DateTime? LeaseUntil { get; set; }

    /// <summary>Claims so far; a job that keeps killing its worker stops being retried.</summary>
    public int Attempts { get; set; }
}

internal static class ExportStatus
{
    public const string Scheduled = "scheduled";
    public const string InProgress = "in progress";
    public const string Ready = "ready";
    public const string Done = "done";
    public const string Error = "error";
}

internal sealed class ExportJobConfiguration : IEntityTypeConfiguration<ExportJob>
{
    public void Configure(EntityTypeBuilder<ExportJob> builder)
    {
        builder.ToTable("ExportJobs");
        builder.Property(j => j.ActiveKey).HasMaxLength(64);
        builder.Property(j => j.Type).HasMaxLength(10);
        builder.Property(j => j.Status).HasMaxLength(20);
        builder.Ignore(j => j.FileName);
        builder.Property(j => j.FtpHost).HasMaxLength(255);
        builder.Property(j => j.FtpDir).HasMaxLength(1000);
        builder.Property(j => j.ClaimedBy).HasMaxLength(100);
        builder.Property(j => j.Error).HasMaxLength(2000);
        builder.HasOne<Company>().WithMany().HasForeignKey(j => j.CompanyId);
        // NULLs are distinct in unique indexes on both engines: finished jobs never collide.
        builder.HasIndex(j => new { j.CompanyId, j.ActiveKey }).IsUnique();
        builder.HasIndex(j => new { j.Status, j.Id });
    }
}
