using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Exports;

/// <summary>
/// Authentication of every /api/v2 endpoint (the v1 middleware only guards /api/v1): the X-WSSE header
/// (also sent as "WSSE"), or a server key's v1 auth_token. Either way the caller is a server key and the
/// tenant its company. Every failure answers 401 / replyCode 1 "Credentials are invalid", with no hint of why.
/// </summary>
internal sealed class V2Auth : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var db = services.GetRequiredService<VelvetDb>();
        var caller = services.GetRequiredService<Caller>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var ct = http.RequestAborted;

        var key = await WsseKeyAsync(http, db, services.GetRequiredService<IDataProtectionProvider>(), now, ct)
            ?? await TokenKeyAsync(http, db, ct)
            ?? throw V2Exception.Credentials();
        await AuthenticationMiddleware.UseServerKeyAsync(db, caller, key, ct);
        return await next(context);
    }

    private static async Task<ApiKey?> WsseKeyAsync(HttpContext http, VelvetDb db, IDataProtectionProvider protection, DateTimeOffset now, CancellationToken ct)
    {
        var header = http.Request.Headers["X-WSSE"].ToString();
        if (string.IsNullOrEmpty(header))
        {
            header = http.Request.Headers["WSSE"].ToString();
        }

        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        // A header that is present but wrong fails outright rather than falling back to auth_token.
        var token = WsseToken.Parse(header);
        if (token is null || token.Nonce.Length > 200 || !token.IsFresh(now, out var created))
        {
            throw V2Exception.Credentials();
        }

        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(k => k.V2UserName == token.UserName && k.Active, ct);
        if (key?.V2SecretProtected is null)
        {
            throw V2Exception.Credentials();
        }

        string secret;
        try
        {
            secret = protection.CreateProtector(Accounts.V2SecretPurpose).Unprotect(key.V2SecretProtected);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw V2Exception.Credentials();
        }

        if (!token.DigestMatches(secret))
        {
            throw V2Exception.Credentials();
        }

        await UseNonceAsync(db, key.Id, token.Nonce, created, now, ct);
        return key;
    }

    /// <summary>
    /// Inserting the nonce is the check: the primary key rejects a second use, whichever process sees it.
    /// The row lives until Created + window has passed everywhere (clock skew included), then is pruned.
    /// </summary>
    private static async Task UseNonceAsync(VelvetDb db, int keyId, string nonce, DateTimeOffset created, DateTimeOffset now, CancellationToken ct)
    {
        var utcNow = now.UtcDateTime;
        var expires = (created > now ? created : now).UtcDateTime + WsseToken.Window + WsseToken.Window;
        db.Set<WsseNonce>().Add(new WsseNonce { ApiKeyId = keyId, Nonce = nonce, ExpiresAt = expires });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (StorageErrors.IsUniqueViolation(e))
        {
            throw V2Exception.Credentials();
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        // Pruning on a small share of requests keeps the table at about one window of nonces
        // without a delete on every call; the nonce table is not change-captured, so ExecuteDelete is fine.
        if (Random.Shared.Next(32) == 0)
        {
            await db.Set<WsseNonce>().Where(n => n.ExpiresAt < utcNow).ExecuteDeleteAsync(ct);
        }
    }

    private static async Task<ApiKey?> TokenKeyAsync(HttpContext http, VelvetDb db, CancellationToken ct)
    {
        var parameters = (await RequestParams.BindAsync(http))!;
        var token = parameters.Str("auth_token");
        if (string.IsNullOrEmpty(token))
        {
            token = AuthenticationMiddleware.BearerToken(http.Request);
        }

        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        // Only server-to-server keys: a user's device token is not a v2 credential.
        var hash = Secrets.Hash(token);
        return await db.ApiKeys.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(k => k.TokenHash == hash && k.Active, ct);
    }
}
