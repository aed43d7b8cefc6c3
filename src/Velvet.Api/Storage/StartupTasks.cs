namespace Velvet.Api.Storage;

internal static class StartupTasks
{
    /// <summary>Migrations on start (concurrent nodes serialize on EF Core's migration lock), then demo data on an empty database.</summary>
    public static async Task RunAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await StorageSetup.MigrateAsync(services, ct);
        var options = services.GetRequiredService<VelvetOptions>();
        if (options.SeedDemo)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoData>().SeedIfEmptyAsync(ct);
        }
    }
}
