using Microsoft.AspNetCore.Identity;
using Scalar.AspNetCore;
using Serilog;
using Velvet.Api.Auth;
using Velvet.Api.Cli;
using Velvet.Api.Contacts;
using Velvet.Api.Dictionaries;
using Velvet.Api.Exports;
using Velvet.Api.Profile;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Api.Sync;
using Velvet.Api.Venues;
using Velvet.Api.Wire;

if (CliApp.IsCommand(args))
{
    return await CliApp.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.Logging.ClearProviders();
// Each host logs through its own logger, never the static Log.Logger: several hosts may share a process (tests,
// benches), and the first to stop would silence the others by closing the static one.
// Defaults first: an operator's Serilog section (levels, overrides) is read after them and wins.
builder.Services.AddSerilog((services, logger) => logger
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
    .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
    .ReadFrom.Configuration(builder.Configuration)
    .Enrich.FromLogContext()
    .WriteTo.Console(new Serilog.Formatting.Compact.CompactJsonFormatter()), preserveStaticLogger: true, writeToProviders: true);

builder.Services.AddVelvet(builder.Configuration);
builder.Services.AddOpenApi();

var app = builder.Build();

// Logs method, path (without the query string, which may hold auth_token), status and time — never parameters.
// This host's logger, not Serilog's static one: several hosts may share a process (tests, CLI). Outside the error
// middleware, so it logs the status the client got: a client's mistake is a 4xx line, not an error with a stack trace
// (an unexpected failure is logged with its exception by WireErrorMiddleware).
// A 503 asks the client to send again after a lost race (WireErrorMiddleware): a warning, not an error.
app.UseSerilogRequestLogging(o =>
{
    o.Logger = app.Services.GetService<Serilog.ILogger>();
    o.GetLevel = (context, _, error) => (error, context.Response.StatusCode) switch
    {
        (not null, _) => Serilog.Events.LogEventLevel.Error,
        (_, StatusCodes.Status503ServiceUnavailable) => Serilog.Events.LogEventLevel.Warning,
        (_, >= 500) => Serilog.Events.LogEventLevel.Error,
        _ => Serilog.Events.LogEventLevel.Information,
    };
});
app.UseMiddleware<WireErrorMiddleware>();
app.UseStatusCodePages(WirePipeline.WriteEmptyStatusAsync);
app.UseMiddleware<JsonSuffixMiddleware>();
app.UseUploads(app.Services.GetRequiredService<VelvetOptions>());
app.UseRouting();
app.UseRateLimiter();
app.UseMiddleware<AuthenticationMiddleware>();

app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.MapHealth();
app.MapTokens();
app.MapProfile();
app.MapStaff();
app.MapVenues();
app.MapDictionaries();
app.MapContacts();
app.MapTags();
app.MapExports();
app.MapLastChanges();
// One fallback for both APIs: the error writer answers in the v1 or v2 body by the path.
app.MapFallback(context => WireErrorMiddleware.WriteAsync(context, StatusCodes.Status404NotFound, "Record not found or wrong url")).AllowWithoutToken();

await StartupTasks.RunAsync(app.Services);
await app.RunAsync();
return 0;
