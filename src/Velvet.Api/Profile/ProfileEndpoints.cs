using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Profile;

/// <summary>profile.md: the signed-in user's own hash and the sign-up flag.</summary>
internal static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfile(this IEndpointRouteBuilder routes)
    {
        var profile = routes.MapGroup("/api/v1/profile").WithTags("Profile");
        profile.MapGet("/", Get);
        profile.MapPut("/", UpdateAvatar);
        profile.MapGet("/signup_flag", GetSignupFlag);
        profile.MapPost("/signup_flag", SetSignupFlag);
        return routes;
    }

    internal sealed record SignupFlagJson(bool Status);

    public static async Task<IResult> Get(VelvetDb db, Caller caller, CancellationToken ct) =>
        Results.Json(ProfileJson.From(await LoadAsync(db, caller, ct)), WireJson.Options);

    /// <summary>profile.md "Update avatar": a multipart avatar file; answers the user hash with the new renditions.</summary>
    public static async Task<IResult> UpdateAvatar(RequestParams p, VelvetDb db, Caller caller, VelvetOptions options, TimeProvider time, CancellationToken ct)
    {
        var user = await LoadAsync(db, caller, ct);
        var file = p.Files.GetValueOrDefault("avatar") ?? throw ApiException.BadRequest("Missing parameter: avatar (a JPEG or PNG file)");
        var now = time.GetUtcNow().UtcDateTime;
        var previous = user.PhotoPath;
        user.PhotoPath = await Avatar.SaveAsync(file, options, $"users/{user.Id}", now, ct);
        user.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        Avatar.Delete(options, previous);
        return Results.Json(UserJson.From(user), WireJson.Options);
    }

    public static async Task<IResult> GetSignupFlag(VelvetDb db, Caller caller, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        var flag = await db.Users.Where(u => u.Id == userId).Select(u => u.SignupFlag).FirstAsync(ct);
        return Results.Json(new SignupFlagJson(flag), WireJson.Options);
    }

    public static async Task<IResult> SetSignupFlag(VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
        user.SignupFlag = true;
        user.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return Results.Json(new TokensEndpoints.MessageJson("Success"), WireJson.Options);
    }

    internal static async Task<User> LoadAsync(VelvetDb db, Caller caller, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        return await db.Users.Include(u => u.Venues).ThenInclude(v => v.Venue).AsSplitQuery().FirstAsync(u => u.Id == userId, ct);
    }
}
