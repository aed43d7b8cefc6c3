using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;

namespace Velvet.Api.Storage;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", Check).AllowWithoutToken().WithTags("Operations");
        return routes;
    }

    /// <summary>200 when the database answers; 503 otherwise, so a load balancer takes the node out.</summary>
    public static async Task<IResult> Check(VelvetDb db, CancellationToken ct)
    {
        var reachable = await db.Database.CanConnectAsync(ct);
        return reachable
            ? Results.Json(new { status = "ok", database = db.Database.ProviderName })
            : Results.Json(new { status = "unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
