using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Velvet.Api.Auth;
using Velvet.Api.Exports;
using Velvet.Api.Staff;
using Velvet.Api.Wire;

namespace Velvet.Api.Storage;

/// <summary>Everything the web host and the CLI share: options, storage, security, senders.</summary>
internal static class ServiceSetup
{
    public static IServiceCollection AddVelvet(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(VelvetOptions.Section).Get<VelvetOptions>() ?? new VelvetOptions();
        var smtp = configuration.GetSection("Velvet:Smtp").Get<SmtpOptions>() ?? new SmtpOptions();
        services.AddSingleton(options);
        services.AddSingleton(smtp);
        services.AddSingleton(TimeProvider.System);
        services.AddVelvetStorage(configuration, options);
        services.AddScoped<Caller>();
        services.AddScoped<Accounts>();
        services.AddScoped<DemoData>();
        services.AddSingleton<PasswordHasher<User>>();
        services.AddSingleton<IEmailSender>(sp => string.IsNullOrEmpty(smtp.Host)
            ? new OutboxEmailSender(options, smtp)
            : new SmtpEmailSender(smtp));
        services.AddSingleton<ISmsSender, OutboxSmsSender>();
        // The key ring lives in the shared database: every API node must decrypt what another encrypted
        // (v2 secrets for X-WSSE, FTP passwords of queued exports).
        services.AddDataProtection().SetApplicationName("Velvet")
            .PersistKeysToDbContext<VelvetDb>();
        services.AddVelvetRateLimits(configuration);
        services.AddExports(configuration);
        var limits = ParamLimits.Default;
        services.AddSingleton(limits);
        // Kestrel refuses a larger body before it is parsed (uploads included); params read none larger either.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = limits.MaxBodyLength);
        services.ConfigureHttpJsonOptions(json => WireJson.Configure(json.SerializerOptions));
        return services;
    }
}
