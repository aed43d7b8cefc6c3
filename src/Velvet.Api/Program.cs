using Microsoft.AspNetCore.Identity;
using Scalar.AspNetCore;
using Serilog;
using Velvet.Api.Auth;
using Velvet.Api.Cli;
using Velvet.Api.Dictionaries;
using Velvet.Api.Profile;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
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
builder.Services.AddSerilog((services, logger) => logger
    .ReadFrom.Configuration(builder.Configuration)
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
    .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
    .Enrich.FromLogContext()
    .WriteTo.Console(new Serilog.Formatting.Compact.CompactJsonFormatter()), writeToProviders: true);

builder.Services.AddVelvet(builder.Configuration);
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseMiddleware<WireErrorMiddleware>();
// Logs method, path (without the query string, which may hold auth_token), status and time — never parameters.
app.UseSerilogRequestLogging();
app.UseStatusCodePages(WirePipeline.WriteEmptyStatusAsync);
app.UseMiddleware<JsonSuffixMiddleware>();
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
app.MapLastChanges();
app.MapFallback(() => ApiErrors.Result(StatusCodes.Status404NotFound, "Record not found or wrong url")).AllowWithoutToken();

await StartupTasks.RunAsync(app.Services);
await app.RunAsync();
return 0;
