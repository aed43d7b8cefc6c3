using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Exports.Delivery;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Exports;

/// <summary>
/// Works export jobs one at a time. Every step that matters across processes happens in the database:
/// the claim (FOR UPDATE SKIP LOCKED on PostgreSQL, a guarded UPDATE on SQLite), the lease renewed while
/// working, and the recovery of jobs whose worker died. See docs/exports.md.
/// </summary>
internal sealed partial class ExportWorker(
    IServiceScopeFactory scopes,
    ExportOptions options,
    VelvetOptions velvet,
    IFileDelivery delivery,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<ExportWorker> logger) : BackgroundService
{
    public const string PasswordPurpose = "Velvet.Exports.FtpPassword";

    /// <summary>How often a worker looks for expired local files: they only ever pile up, never need going fast.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    /// <summary>Distinguishes this worker instance's claims from any other process's (and from other instances in tests).</summary>
    private readonly string _id = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunWorker)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Drain the queue, then sleep.
                while (await RunOnceAsync(stoppingToken))
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLoopFailed(logger, e);
            }

            await Task.Delay(options.PollInterval, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Recovers abandoned jobs and sweeps expired files, then claims and runs at most one. True when a job was run.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        await RecoverAsync(ct);
        SweepExpiredFiles();
        var claimed = await ClaimAsync(ct);
        if (claimed is null)
        {
            return false;
        }

        await RunAsync(claimed.Value, ct);
        return true;
    }

    /// <summary>
    /// A job in progress or ready whose lease has run out belongs to a process that died (or hung): schedule
    /// it again, or give up once it has been claimed <see cref="ExportOptions.MaxAttempts"/> times, so a job
    /// that crashes its worker cannot block 4001 forever. Each update is guarded by the same condition,
    /// so two recovering processes cannot both act on one job.
    /// </summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = SystemDb(scope);
        var now = time.GetUtcNow().UtcDateTime;
        var active = new[] { ExportStatus.InProgress, ExportStatus.Ready };
        var reason = $"The export was interrupted {options.MaxAttempts} times and was given up";
        await db.Set<ExportJob>().Where(j => active.Contains(j.Status) && j.LeaseUntil < now && j.Attempts >= options.MaxAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ExportStatus.Error).SetProperty(j => j.Error, reason)
                .SetProperty(j => j.ActiveKey, (string?)null).SetProperty(j => j.FtpPasswordProtected, (string?)null)
                .SetProperty(j => j.ClaimedBy, (string?)null).SetProperty(j => j.LeaseUntil, (DateTime?)null)
                .SetProperty(j => j.FinishedAt, now), ct);
        await db.Set<ExportJob>().Where(j => active.Contains(j.Status) && j.LeaseUntil < now && j.Attempts < options.MaxAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ExportStatus.Scheduled).SetProperty(j => j.Progress, 0)
                .SetProperty(j => j.ClaimedBy, (string?)null).SetProperty(j => j.LeaseUntil, (DateTime?)null), ct);
    }

    /// <summary>
    /// Local files past <see cref="ExportOptions.Retention"/> are deleted whether or not anyone asks for them again
    /// (the download answers 410 for them anyway). Each node sweeps its own data folder: files are where they were
    /// written, so no claim is needed, and a file's last write is when its job finished.
    /// </summary>
    private void SweepExpiredFiles()
    {
        var now = time.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SweepInterval;
        var folder = velvet.DataPath("exports");
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.csv", SearchOption.AllDirectories))
        {
            if (File.GetLastWriteTimeUtc(file) + options.Retention < now.UtcDateTime)
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException e)
                {
                    LogSweepFailed(logger, file, e);
                }
            }
        }
    }

    private async Task<int?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = SystemDb(scope);
        var leaseUntil = time.GetUtcNow().UtcDateTime + options.Lease;
        if (db.Database.IsNpgsql())
        {
            // SKIP LOCKED: concurrent workers each lock a different scheduled row instead of queueing on the same one.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var job = await db.Set<ExportJob>().FromSqlRaw(
                    """SELECT * FROM "ExportJobs" WHERE "Status" = 'scheduled' ORDER BY "Id" LIMIT 1 FOR UPDATE SKIP LOCKED""")
                .IgnoreQueryFilters().AsTracking().FirstOrDefaultAsync(ct);
            if (job is null)
            {
                return null;
            }

            job.Status = ExportStatus.InProgress;
            job.ClaimedBy = _id;
            job.LeaseUntil = leaseUntil;
            job.Attempts++;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return job.Id;
        }

        // SQLite has one writer at a time: the UPDATE's WHERE re-checks the status, and only the
        // process whose UPDATE changed the row owns the job.
        for (var tries = 0; tries < 5; tries++)
        {
            var candidate = await db.Set<ExportJob>().Where(j => j.Status == ExportStatus.Scheduled)
                .OrderBy(j => j.Id).Select(j => (int?)j.Id).FirstOrDefaultAsync(ct);
            if (candidate is null)
            {
                return null;
            }

            var won = await db.Set<ExportJob>().Where(j => j.Id == candidate && j.Status == ExportStatus.Scheduled)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ExportStatus.InProgress).SetProperty(j => j.ClaimedBy, _id)
                    .SetProperty(j => j.LeaseUntil, leaseUntil).SetProperty(j => j.Attempts, j => j.Attempts + 1), ct);
            if (won == 1)
            {
                return candidate;
            }
        }

        return null;
    }

    private async Task RunAsync(int jobId, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(jobId, lost, heartbeatStop.Token);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = SystemDb(scope);
            var job = await db.Set<ExportJob>().FirstAsync(j => j.Id == jobId, lost.Token);
            try
            {
                await BuildAndDeliverAsync(db, job, lost.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogJobFailed(logger, jobId, e);
                await FinishAsync(db, job, ExportStatus.Error, ErrorText(e), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The lease was lost (another process recovered the job): stop without touching the row.
            LogLeaseLost(logger, jobId);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Renews the lease every third of it; if the row is no longer ours, cancels the work.</summary>
    private async Task HeartbeatAsync(int jobId, CancellationTokenSource lost, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Lease / 3, time, stop);
                await using var scope = scopes.CreateAsyncScope();
                var db = SystemDb(scope);
                var until = time.GetUtcNow().UtcDateTime + options.Lease;
                var renewed = await db.Set<ExportJob>().Where(j => j.Id == jobId && j.ClaimedBy == _id)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until), stop);
                if (renewed == 0)
                {
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the job ended.
        }
    }

    private async Task BuildAndDeliverAsync(VelvetDb db, ExportJob job, CancellationToken ct)
    {
        var settings = ExportSettings.FromJson(job.Parameters);
        var timeZoneId = await db.Companies.Where(c => c.Id == job.CompanyId).Select(c => c.TimeZoneId).FirstAsync(ct);
        var zone = WireTime.Zone(timeZoneId);

        var path = LocalPath(velvet, job);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".part";
        var fields = settings.ContactFields.Select(id => ContactFields.Find(id)!).ToList();
        // The count only feeds progress, so it runs beside the export on a connection of its own instead of
        // delaying the first row (docs/benchmarks.md); progress stays 0 until it is known. Task.Run because
        // Microsoft.Data.Sqlite's async methods complete synchronously.
        using var countStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var total = Task.Run(() => CountAsync(job.CompanyId, settings, zone, countStop.Token), countStop.Token);
        int rows;
        try
        {
            var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 0, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                // UTF-8 without a byte order mark, written in 64 KB chunks (CsvRowWriter buffers).
                var csv = CsvRowWriter.For(stream, settings.Delimiter);
                if (settings.AddFieldNamesHeader)
                {
                    ChangesCsv.WriteHeader(csv, ChangesCsv.Header(fields, settings.Language));
                }

                // The rows stream on a context of their own: progress is saved on db meanwhile, and Npgsql
                // allows one open command per connection.
                await using var readScope = scopes.CreateAsyncScope();
                var reader = SystemDb(readScope);
                rows = await ChangedContacts.WriteAsync(reader, job.CompanyId, settings, zone, csv,
                    async written =>
                    {
                        job.RowCount = written;
                        job.Progress = total.IsCompletedSuccessfully && total.Result > 0
                            ? Math.Min(98, (int)(written * 100L / total.Result))
                            : 0;
                        await db.SaveChangesAsync(ct);
                    }, options.ProgressEvery, ct);
                await csv.FlushAsync(ct);
            }
        }
        finally
        {
            await countStop.CancelAsync();
            try
            {
                await total;
            }
            catch (Exception e) when (e is OperationCanceledException or DbException)
            {
                // Only progress needed it: once the rows are written (or the export failed) the count does not matter.
            }
        }

        File.Move(partial, path, overwrite: true);
        job.RowCount = rows;
        if (settings.DistributionMethod == ExportSettings.Local)
        {
            job.Progress = 100;
            await FinishAsync(db, job, ExportStatus.Done, null, ct);
            return;
        }

        // 99 until the upload is done: the file is built, delivery is the last step.
        job.Progress = 99;
        job.Status = ExportStatus.Ready;
        await db.SaveChangesAsync(ct);
        var ftp = settings.Ftp!;
        var password = protection.CreateProtector(PasswordPurpose).Unprotect(job.FtpPasswordProtected!);
        var target = new DeliveryTarget(settings.DistributionMethod, ftp.Host, ftp.Port, ftp.UserName, password, ftp.Folder, ftp.UseTls, ftp.AcceptAnyCertificate, ftp.HostKey);
        await new DeliveryRetry(options.DeliveryRetry).DeliverAsync(delivery, () => File.OpenRead(path), job.FileName, target,
            async retry =>
            {
                // Still "ready": the file is built and delivery will be tried again.
                job.Error = $"Delivery attempt {retry.FailedAttempt} failed, retrying in {retry.Delay.TotalSeconds:0} s: {ErrorText(retry.Error)}";
                await db.SaveChangesAsync(ct);
            }, ct);
        // Delivered: the local copy has served its purpose.
        File.Delete(path);
        job.Progress = 100;
        await FinishAsync(db, job, ExportStatus.Done, null, ct);
    }

    private async Task<int> CountAsync(int companyId, ExportSettings settings, TimeZoneInfo zone, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await ChangedContacts.CountAsync(SystemDb(scope), companyId, settings, zone, ct);
    }

    private async Task FinishAsync(VelvetDb db, ExportJob job, string status, string? error, CancellationToken ct)
    {
        job.Status = status;
        job.Error = error;
        job.ActiveKey = null;
        job.FtpPasswordProtected = null;
        job.ClaimedBy = null;
        job.LeaseUntil = null;
        job.FinishedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    public static string LocalPath(VelvetOptions velvet, ExportJob job) =>
        velvet.DataPath("exports", job.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".csv");

    /// <summary>
    /// Delivery messages never carry the password (DeliveryException scrubs it); others are cut to the column size.
    /// Control characters a server's reply may carry (a NUL would make the job's record unsavable) become spaces.
    /// </summary>
    private static string ErrorText(Exception e)
    {
        var text = e is DeliveryException ? e.Message : "Export failed: " + e.Message;
        text = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
        return text.Length > 1900 ? text[..1900] : text;
    }

    private static VelvetDb SystemDb(AsyncServiceScope scope)
    {
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        return db;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Export worker loop failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, int jobId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {JobId}: lease lost, another process took the job over")]
    private static partial void LogLeaseLost(ILogger logger, int jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expired export file {File} could not be deleted")]
    private static partial void LogSweepFailed(ILogger logger, string file, Exception error);
}
