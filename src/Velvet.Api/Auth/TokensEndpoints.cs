using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Velvet.Api.Contacts;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Auth;

/// <summary>tokens.md: sign in, sign out, reset-password instructions, phone verification.</summary>
internal static class TokensEndpoints
{
    public const string ResetMessage =
        "Please check the email associated with this account for instructions on how to reset you password";

    private const int MaxFailuresPerAddress = 50;
    private static readonly TimeSpan ResetLifetime = TimeSpan.FromHours(2);
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan CodeResendInterval = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/api/v1/tokens").WithTags("Auth");
        tokens.MapPost("/", SignIn).AllowWithoutToken().RequireRateLimiting(RateLimits.SignIn);
        tokens.MapPost("/reset", SendResetInstructions).AllowWithoutToken().RequireRateLimiting(RateLimits.SignIn);
        tokens.MapDelete("/{userId}", SignOut);

        var settings = routes.MapGroup("/api/v1/settings").WithTags("Auth");
        settings.MapPost("/send_phone_verification", SendPhoneVerification).RequireRateLimiting(RateLimits.SignIn);
        settings.MapPost("/verify_phone", VerifyPhone);

        var password = routes.MapGroup("/password").WithTags("Auth");
        password.MapGet("/reset", PasswordResetForm.Show).AllowWithoutToken();
        password.MapPost("/reset", ResetPassword).AllowWithoutToken().RequireRateLimiting(RateLimits.SignIn);
        return routes;
    }

    internal sealed record UserInfoJson(int Id, string FirstName, string? LastName);

    internal sealed record SignInJson(string Token, UserInfoJson UserInfo);

    internal sealed record MessageJson(string Message);

    public static async Task<IResult> SignIn(RequestParams p, VelvetDb db, PasswordHasher<User> hasher,
        TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var email = p.Str("email")?.Trim();
        var password = p.Str("password");
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password))
        {
            throw ApiException.BadRequest("Email and password are required");
        }

        var mobileOs = p.Str("mobile_os")?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(mobileOs) && mobileOs is not ("ios" or "android"))
        {
            throw ApiException.BadRequest("mobile_os must be \"ios\" or \"android\"");
        }

        int? appId = null;
        if (p.Str("app_id") is { Length: > 0 } appText)
        {
            if (!int.TryParse(appText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > 3)
            {
                throw ApiException.BadRequest("app_id must be 1, 2 or 3");
            }

            appId = parsed;
        }

        var deviceToken = p.Str("device_token")?.Trim();
        if (deviceToken is { Length: > 200 })
        {
            throw ApiException.BadRequest("device_token is too long");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var normalized = User.NormalizeEmail(email);
        // No address is longer than 254 characters; a longer string still counts as a failed attempt, under a key that fits.
        var accountKey = "email:" + (normalized.Length > 254 ? normalized[..254] : normalized);
        var addressKey = "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        db.Tenant.UseSystem();
        var throttles = await db.SignInThrottles.Where(t => t.Key == accountKey || t.Key == addressKey).ToListAsync(ct);
        var accountThrottle = throttles.FirstOrDefault(t => t.Key == accountKey);
        var addressThrottle = throttles.FirstOrDefault(t => t.Key == addressKey);
        if (SignInThrottle.IsLocked(accountThrottle, now) || SignInThrottle.IsLocked(addressThrottle, now, MaxFailuresPerAddress))
        {
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many failed sign-in attempts. Try again later.");
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized, ct);
        var verified = user is not null
            && hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (!verified)
        {
            if (user is null)
            {
                // Spend the same time as a real check so response times do not reveal which e-mails exist.
                hasher.VerifyHashedPassword(new User { Email = "", PasswordHash = "", FirstName = "" }, DummyHash.Value(hasher), password);
            }

            RecordFailure(db, accountThrottle, accountKey, now);
            RecordFailure(db, addressThrottle, addressKey, now);
            await db.SaveChangesAsync(ct);
            throw new ApiException(StatusCodes.Status401Unauthorized, "Invalid email or password");
        }

        if (!user!.Active)
        {
            throw new ApiException(StatusCodes.Status423Locked, AuthenticationMiddleware.DeactivatedMessage);
        }

        if (accountThrottle is not null)
        {
            db.SignInThrottles.Remove(accountThrottle);
        }

        var token = Secrets.NewToken();
        deviceToken = string.IsNullOrEmpty(deviceToken) ? "web:" + Secrets.NewToken() : deviceToken;
        var device = await db.Devices.FirstOrDefaultAsync(d => d.UserId == user.Id && d.DeviceToken == deviceToken, ct);
        if (device is null)
        {
            device = new Device { CompanyId = user.CompanyId, UserId = user.Id, DeviceToken = deviceToken, TokenHash = "", CreatedAt = now };
            db.Devices.Add(device);
        }

        device.TokenHash = Secrets.Hash(token);
        device.MobileOs = string.IsNullOrEmpty(mobileOs) ? device.MobileOs : mobileOs;
        device.AppId = appId ?? device.AppId;
        device.LastUsedAt = now;
        await db.SaveChangesAsync(ct);
        return Results.Json(new SignInJson(token, new UserInfoJson(user.Id, user.FirstName, user.LastName)), WireJson.Options);
    }

    public static async Task<IResult> SignOut(string userId, VelvetDb db, Caller caller, CancellationToken ct)
    {
        if (caller.UserId is not { } me || userId != me.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.NotFound();
        }

        var device = await db.Devices.FirstAsync(d => d.Id == caller.DeviceId, ct);
        db.Devices.Remove(device);
        await db.SaveChangesAsync(ct);
        return Results.Json(new MessageJson("User signed out."), WireJson.Options);
    }

    public static async Task<IResult> SendResetInstructions(RequestParams p, VelvetDb db, IEmailSender mail,
        VelvetOptions options, TimeProvider time, CancellationToken ct)
    {
        var email = p.Str("email")?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            throw ApiException.BadRequest("Email is required");
        }

        db.Tenant.UseSystem();
        var normalized = User.NormalizeEmail(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized && u.Active, ct);
        // The same answer whether or not the account exists, so the endpoint cannot be used to probe e-mails.
        if (user is not null)
        {
            var token = Secrets.NewToken();
            db.PasswordResets.Add(new PasswordReset
            {
                UserId = user.Id,
                TokenHash = Secrets.Hash(token),
                ExpiresAt = time.GetUtcNow().UtcDateTime + ResetLifetime,
            });
            await db.SaveChangesAsync(ct);

            var link = $"{options.PublicUrl.TrimEnd('/')}/password/reset?token={Uri.EscapeDataString(token)}";
            var message = new MimeMessage { Subject = "Reset your Velvet password" };
            message.To.Add(new MailboxAddress(user.FullName, user.Email));
            message.Body = new TextPart("plain")
            {
                Text = $"Hello {user.FirstName},\n\nSomeone asked to reset the password of your Velvet account. " +
                       $"Open this link within two hours to choose a new one:\n\n{link}\n\nIf it was not you, ignore this e-mail.\n",
            };
            await mail.SendAsync(message, ct);
        }

        return Results.Json(new MessageJson(ResetMessage), WireJson.Options);
    }

    public static async Task<IResult> ResetPassword(RequestParams p, VelvetDb db, PasswordHasher<User> hasher,
        TimeProvider time, CancellationToken ct)
    {
        var token = p.Str("token");
        var password = p.Str("password");
        var confirmation = p.Str("password_confirmation") ?? password;
        if (string.IsNullOrEmpty(token))
        {
            throw ApiException.BadRequest("Reset token is required");
        }

        var errors = PasswordRules.Check(password, confirmation);
        if (errors is not null)
        {
            throw ApiException.Invalid(errors);
        }

        db.Tenant.UseSystem();
        var now = time.GetUtcNow().UtcDateTime;
        var hash = Secrets.Hash(token);
        var reset = await db.PasswordResets.FirstOrDefaultAsync(r => r.TokenHash == hash, ct);
        if (reset is null || reset.UsedAt is not null || reset.ExpiresAt <= now)
        {
            throw ApiException.BadRequest("Reset link is invalid or has expired");
        }

        var user = await db.Users.FirstAsync(u => u.Id == reset.UserId, ct);
        user.PasswordHash = hasher.HashPassword(user, password!);
        user.UpdatedAt = now;
        reset.UsedAt = now;
        // A new password signs every device out: whoever knew the old one keeps no session.
        db.Devices.RemoveRange(await db.Devices.Where(d => d.UserId == user.Id).ToListAsync(ct));
        await db.SaveChangesAsync(ct);
        return Results.Json(new MessageJson("Your password has been changed."), WireJson.Options);
    }

    public static async Task<IResult> SendPhoneVerification(RequestParams p, VelvetDb db, Caller caller, ISmsSender sms,
        TimeProvider time, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        if (!PhoneFormat.TryNormalize(p.Str("phone"), out var phone))
        {
            throw ApiException.Invalid(new Dictionary<string, string[]> { ["phone"] = ["is invalid"] });
        }

        var now = time.GetUtcNow().UtcDateTime;
        var pending = await db.PhoneVerifications.FirstOrDefaultAsync(v => v.UserId == userId, ct);
        if (pending is not null && pending.SentAt + CodeResendInterval > now)
        {
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Please wait before requesting another code");
        }

        var code = Secrets.NewNumericCode(4);
        if (pending is null)
        {
            pending = new PhoneVerification { UserId = userId, Phone = phone, CodeHash = "" };
            db.PhoneVerifications.Add(pending);
        }

        pending.Phone = phone;
        pending.CodeHash = Secrets.Hash(code);
        pending.Attempts = 0;
        pending.SentAt = now;
        pending.ExpiresAt = now + CodeLifetime;
        await db.SaveChangesAsync(ct);
        await sms.SendAsync(phone, $"Your Velvet verification code is {code}", ct);
        return Results.Json(new MessageJson("Verification code sent."), WireJson.Options);
    }

    public static async Task<IResult> VerifyPhone(RequestParams p, VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        var code = p.Str("token")?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            throw ApiException.BadRequest("Verification code is required");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var pending = await db.PhoneVerifications.FirstOrDefaultAsync(v => v.UserId == userId, ct);
        if (pending is null || pending.ExpiresAt <= now || pending.Attempts >= PhoneVerification.MaxAttempts)
        {
            throw ApiException.BadRequest("Verification code has expired. Request a new one.");
        }

        if (!Secrets.HashMatches(code, pending.CodeHash))
        {
            pending.Attempts++;
            await db.SaveChangesAsync(ct);
            throw ApiException.BadRequest("Invalid verification code");
        }

        var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
        user.Phone = pending.Phone;
        user.PhoneVerified = true;
        user.UpdatedAt = now;
        db.PhoneVerifications.Remove(pending);
        await db.SaveChangesAsync(ct);
        return Results.Json(new MessageJson("Your number was successfully confirmed."), WireJson.Options);
    }

    private static void RecordFailure(VelvetDb db, SignInThrottle? throttle, string key, DateTime now)
    {
        if (throttle is null)
        {
            throttle = new SignInThrottle { Key = key, WindowStartedAt = now };
            db.SignInThrottles.Add(throttle);
        }

        throttle.RecordFailure(now);
    }

    private static class DummyHash
    {
        private static string? _value;

        public static string Value(PasswordHasher<User> hasher) =>
            _value ??= hasher.HashPassword(new User { Email = "", PasswordHash = "", FirstName = "" }, "not-a-password");
    }
}

internal static class PasswordRules
{
    public const int MinLength = 8;

    public static Dictionary<string, string[]>? Check(string? password, string? confirmation)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            return new() { ["password"] = [$"is too short (minimum is {MinLength} characters)"] };
        }

        if (password.Length > 200)
        {
            return new() { ["password"] = ["is too long (maximum is 200 characters)"] };
        }

        return password == confirmation ? null : new() { ["password_confirmation"] = ["doesn't match Password"] };
    }
}
