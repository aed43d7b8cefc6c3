using Velvet.Api.Exports.Delivery;

namespace Velvet.Api.Exports;

internal static class ExportsSetup
{
    public static IServiceCollection AddExports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(ExportOptions.Section).Get<ExportOptions>() ?? new ExportOptions());
        services.AddSingleton(new FtpClientOptions());
        services.AddSingleton(new SftpDeliveryOptions());
        services.AddSingleton<FtpDelivery>();
        services.AddSingleton<SftpDelivery>();
        services.AddSingleton<IFileDelivery, RoutingFileDelivery>();
        services.AddSingleton<ExportWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportWorker>());
        return services;
    }
}
