using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Exports;

/// <summary>The v2 API of seed 004: field, source and form catalogs, getchanges, and the export's status and file.</summary>
internal static class ExportsEndpoints
{
    public const string DuplicateMessage =
        "An export with the same setting is currently running. It is not possible to run the same export more than once simultaneously.";

    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/api/v2").AddEndpointFilter<V2Auth>();
        v2.MapGet("/field", Fields);
        v2.MapGet("/field/translate/{lang}", TranslatedFields);
        v2.MapGet("/source", Sources);
        v2.MapGet("/form", Forms);
        v2.MapPost("/contact/getchanges", GetChanges);
        v2.MapGet("/export/{id}", Get);
        v2.MapGet("/export/{id}/data", Data);
        return app;
    }

    public static IResult Fields() => V2Envelope.Reply(FieldList("en"));

    public static IResult TranslatedFields(string lang) => ContactFields.Languages.Contains(lang)
        ? V2Envelope.Reply(FieldList(lang))
        : throw V2Exception.BadRequest($"Invalid value for language: {lang}");

    private static List<FieldJson> FieldList(string language) =>
        ContactFields.All.Select(f => new FieldJson(f.Id, f.Label(language), f.ApplicationType)).ToList();

    /// <summary>The apps of applications.md (their app_id) and the company's server keys, as change capture numbers them.</summary>
    public static async Task<IResult> Sources(VelvetDb db, CancellationToken ct)
    {
        var keys = await db.ApiKeys.OrderBy(k => k.Id).Select(k => new { k.Id, k.Name }).ToListAsync(ct);
        List<SourceJson> sources =
        [
            new(1, "Mobile app for iOS"),
            new(2, "Mobile app for Android"),
            new(3, "At the rope app for iPad"),
            .. keys.Select(k => new SourceJson(ContactOrigin.ServerKeyOriginOffset + k.Id, k.Name)),
        ];
        return V2Envelope.Reply(sources);
    }

    /// <summary>The company's active sign-up forms; their ids are the origin ids of origin "form".</summary>
    public static async Task<IResult> Forms(VelvetDb db, CancellationToken ct)
    {
        var forms = await db.SignupForms.Where(f => f.Active).OrderBy(f => f.Id)
            .Select(f => new FormJson(f.Id, f.Name, f.Type)).ToListAsync(ct);
        return V2Envelope.Reply(forms);
    }

    public static async Task<IResult> GetChanges(RequestParams p, VelvetDb db, Caller caller, IDataProtectionProvider protection,
        TimeProvider time, CancellationToken ct)
    {
        var (settings, password) = ExportSettings.Validate(p.Root);
        var parameters = settings.ToJson();
        var job = new ExportJob
        {
            CompanyId = caller.CompanyId,
            Parameters = parameters,
            ActiveKey = ExportSettings.Key(parameters),
            Type = settings.DistributionMethod,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            FtpHost = settings.Ftp?.Host,
            FtpDir = settings.Ftp?.Folder,
            FtpPasswordProtected = password is null ? null : protection.CreateProtector(ExportWorker.PasswordPurpose).Protect(password),
        };
        db.Set<ExportJob>().Add(job);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (StorageErrors.IsUniqueViolation(e))
        {
            // The unique (company, active key) index, not a prior read, decides: two processes cannot both win.
            throw V2Exception.BadRequestCode(4001, DuplicateMessage);
        }

        return V2Envelope.Reply(new { id = job.Id });
    }

    public static async Task<IResult> Get(string id, VelvetDb db, Caller caller, CancellationToken ct)
    {
        var job = await FindAsync(db, id, ct);
        return V2Envelope.Reply(new ExportJson(job.Id, caller.Local(job.CreatedAt), job.Status, job.Type, job.FileName,
            job.FtpHost, job.FtpDir, job.RowCount, job.Progress, job.Error));
    }

    /// <summary>
    /// Streams the local file. offset and limit count data rows (records, so a quoted line break stays inside
    /// its row); the header row, when the export has one, always comes first.
    /// </summary>
    public static async Task Data(string id, RequestParams p, HttpContext http, VelvetDb db, VelvetOptions velvet, ExportOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var job = await FindAsync(db, id, ct);
        if (job.Type != ExportSettings.Local)
        {
            throw new V2Exception(StatusCodes.Status404NotFound, 4004, "The export is not a local export");
        }

        if (job.Status != ExportStatus.Done)
        {
            throw new V2Exception(StatusCodes.Status404NotFound, 4005, "The export is not finished yet");
        }

        var path = ExportWorker.LocalPath(velvet, job);
        if (time.GetUtcNow().UtcDateTime > job.FinishedAt + options.Retention || !File.Exists(path))
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            throw new V2Exception(StatusCodes.Status410Gone, 4003, "The export file has expired");
        }

        var offset = Count(p, "offset") ?? 0;
        var limit = Count(p, "limit");
        var settings = ExportSettings.FromJson(job.Parameters);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.FileName}\"";
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await CsvRecords.CopyAsync(file, http.Response.Body, settings.AddFieldNamesHeader, offset, limit, ct);
    }

    private static int? Count(RequestParams p, string name)
    {
        if (!p.Has(name))
        {
            return null;
        }

        return int.TryParse(p.Str(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw V2Exception.BadRequest($"Invalid value for {name}: {p.Str(name)}");
    }

    /// <summary>Unknown, malformed and other companies' ids are one answer: the tenant filter hides the latter.</summary>
    private static async Task<ExportJob> FindAsync(VelvetDb db, string id, CancellationToken ct)
    {
        if (!int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw V2Exception.BadRequest("Invalid export ID");
        }

        return await db.Set<ExportJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == value, ct)
            ?? throw V2Exception.BadRequest("Invalid export ID");
    }
}

internal sealed record FieldJson(int Id, string Name, string ApplicationType);

internal sealed record SourceJson(int Id, string Name);

internal sealed record FormJson(int Id, string Name, string Type);

internal sealed record ExportJson(int Id, DateTimeOffset Created, string Status, string Type, string? FileName, string? FtpHost,
    string? FtpDir, int RowCount, int Progress, string? Error);
