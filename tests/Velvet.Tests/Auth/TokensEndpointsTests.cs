using System.Net;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Auth;

public abstract class TokensEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Sign_in_with_the_seed_curl_line_returns_a_token_and_user_info()
    {
        var world = await TestWorld.CreateAsync(App);

        var reply = await Api.Post("/api/v1/tokens.json", ("email", world.Admin.Email), ("password", TestWorld.Password),
            ("device_token", "324628746283682634"), ("mobile_os", "ios"));

        reply.AssertOk();
        var token = reply.Json.GetProperty("token").GetString()!;
        Assert.Equal(world.Admin.Id, reply.Json.GetProperty("user_info").GetProperty("id").GetInt32());
        Assert.Equal("Ada", reply.Json.GetProperty("user_info").GetProperty("first_name").GetString());
        Assert.Equal("Admin", reply.Json.GetProperty("user_info").GetProperty("last_name").GetString());
        (await Api.Get("/api/v1/profile.json", ("auth_token", token))).AssertOk();
    }

    [DbFact]
    public async Task Tokens_are_stored_only_as_hashes_and_passwords_are_hashed()
    {
        var world = await TestWorld.CreateAsync(App);
        var reply = await Api.Post("/api/v1/tokens", ("email", world.Admin.Email), ("password", TestWorld.Password), ("device_token", "d1"));
        var token = reply.AssertOk().Json.GetProperty("token").GetString()!;

        var (hashes, passwordHash) = await App.WithDbAsync(async (db, _) =>
            (await db.Devices.Where(d => d.UserId == world.Admin.Id).Select(d => d.TokenHash).ToListAsync(),
             await db.Users.Where(u => u.Id == world.Admin.Id).Select(u => u.PasswordHash).SingleAsync()));

        Assert.DoesNotContain(token, hashes);
        Assert.Contains(Secrets.Hash(token), hashes);
        Assert.DoesNotContain(TestWorld.Password, passwordHash, StringComparison.Ordinal);
    }

    [DbFact]
    public async Task Signing_in_again_on_the_same_device_replaces_its_token()
    {
        var world = await TestWorld.CreateAsync(App);
        var first = (await Api.Post("/api/v1/tokens", ("email", world.Admin.Email), ("password", TestWorld.Password), ("device_token", "phone-1")))
            .AssertOk().Json.GetProperty("token").GetString()!;
        var second = (await Api.Post("/api/v1/tokens", ("email", world.Admin.Email), ("password", TestWorld.Password), ("device_token", "phone-1")))
            .AssertOk().Json.GetProperty("token").GetString()!;

        Assert.NotEqual(first, second);
        (await Api.Get("/api/v1/profile", ("auth_token", first))).AssertError(423);
        (await Api.Get("/api/v1/profile", ("auth_token", second))).AssertOk();
    }

    [DbFact]
    public async Task Wrong_password_is_refused_and_repeated_failures_lock_the_account()
    {
        var world = await TestWorld.CreateAsync(App);
        for (var i = 0; i < SignInThrottle.MaxFailures; i++)
        {
            (await Api.Post("/api/v1/tokens", ("email", world.Host.Email), ("password", "wrong"))).AssertError(401, "Invalid email or password");
        }

        // Even the right password is refused while the lock holds: guessing cannot continue.
        (await Api.Post("/api/v1/tokens", ("email", world.Host.Email), ("password", TestWorld.Password))).AssertError(429);

        App.Clock.Advance(SignInThrottle.Window + TimeSpan.FromSeconds(1));
        (await Api.Post("/api/v1/tokens", ("email", world.Host.Email), ("password", TestWorld.Password))).AssertOk();
    }

    [DbFact]
    public async Task An_address_longer_than_any_account_has_is_a_wrong_password_not_a_server_error()
    {
        (await Api.Post("/api/v1/tokens", ("email", new string('a', 300) + "@example.com"), ("password", "wrong")))
            .AssertError(401, "Invalid email or password");
    }

    [DbFact]
    public async Task Sign_in_validates_its_parameters()
    {
        (await Api.Post("/api/v1/tokens", ("email", "someone@example.com"))).AssertError(400);
        (await Api.Post("/api/v1/tokens", ("email", "a@example.com"), ("password", "x"), ("mobile_os", "symbian"))).AssertError(400);
        (await Api.Post("/api/v1/tokens", ("email", "a@example.com"), ("password", "x"), ("app_id", "9"))).AssertError(400);
    }

    [DbFact]
    public async Task A_deactivated_user_gets_423_on_sign_in_and_on_every_endpoint()
    {
        var world = await TestWorld.CreateAsync(App);
        await App.WithDbAsync(async (db, _) =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == world.Host.Id);
            user.Active = false;
            await db.SaveChangesAsync();
        });

        (await Api.Get("/api/v1/profile", ("auth_token", world.HostToken))).AssertError(423, "User has been deactivated");
        (await Api.Get("/api/v1/staff", ("auth_token", world.HostToken))).AssertError(423, "User has been deactivated");
        (await Api.Post("/api/v1/tokens", ("email", world.Host.Email), ("password", TestWorld.Password))).AssertError(423, "User has been deactivated");
    }

    [DbFact]
    public async Task Unknown_or_missing_token_gets_423()
    {
        (await Api.Get("/api/v1/profile", ("auth_token", "no-such-token"))).AssertError(423, AuthenticationMiddleware.InvalidTokenMessage);
        (await Api.Get("/api/v1/profile")).AssertError(423);
    }

    [DbFact]
    public async Task Bearer_header_is_accepted_as_well_as_auth_token()
    {
        var world = await TestWorld.CreateAsync(App);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/profile");
        request.Headers.Authorization = new("Bearer", world.AdminToken);
        (await Api.SendRaw(request)).AssertOk();
    }

    [DbFact]
    public async Task Sign_out_deletes_the_device_token()
    {
        var world = await TestWorld.CreateAsync(App);

        var reply = await Api.Delete($"/api/v1/tokens/{world.Admin.Id}.json", ("auth_token", world.AdminToken));

        Assert.Equal("User signed out.", reply.AssertOk().Json.GetProperty("message").GetString());
        (await Api.Get("/api/v1/profile", ("auth_token", world.AdminToken))).AssertError(423);
    }

    [DbFact]
    public async Task Sign_out_of_another_user_is_not_found()
    {
        var world = await TestWorld.CreateAsync(App);
        (await Api.Delete($"/api/v1/tokens/{world.Host.Id}", ("auth_token", world.AdminToken))).AssertError(404);
        (await Api.Get("/api/v1/profile", ("auth_token", world.HostToken))).AssertOk();
    }

    [DbFact]
    public async Task Reset_instructions_mail_a_link_that_changes_the_password_once()
    {
        var world = await TestWorld.CreateAsync(App);
        var reply = await Api.Post("/api/v1/tokens/reset.json", ("email", world.Host.Email));
        Assert.Equal(TokensEndpoints.ResetMessage, reply.AssertOk().Json.GetProperty("message").GetString());

        var mail = Directory.GetFiles(Path.Combine(App.DataDir, "outbox", "mail"))
            .Select(File.ReadAllText).Single(m => m.Contains(world.Host.Email, StringComparison.Ordinal));
        var token = System.Text.RegularExpressions.Regex.Match(mail, @"token=([A-Za-z0-9_\-%]+)").Groups[1].Value;
        token = Uri.UnescapeDataString(token);

        var form = await Api.Get("/password/reset?token=" + Uri.EscapeDataString(token));
        Assert.Contains("<form", form.Text, StringComparison.Ordinal);

        (await Api.Post("/password/reset", ("token", token), ("password", "short"), ("password_confirmation", "short"))).AssertError(400);
        (await Api.Post("/password/reset", ("token", token), ("password", "a-new-password"), ("password_confirmation", "a-new-password"))).AssertOk();
        (await Api.Post("/password/reset", ("token", token), ("password", "another-password"), ("password_confirmation", "another-password")))
            .AssertError(400, "Reset link is invalid or has expired");

        (await Api.Post("/api/v1/tokens", ("email", world.Host.Email), ("password", "a-new-password"))).AssertOk();
        // The old session ended with the old password.
        (await Api.Get("/api/v1/profile", ("auth_token", world.HostToken))).AssertError(423);
    }

    [DbFact]
    public async Task Reset_for_an_unknown_email_answers_the_same_and_sends_nothing()
    {
        var reply = await Api.Post("/api/v1/tokens/reset", ("email", "nobody-" + Guid.NewGuid() + "@example.com"));
        Assert.Equal(TokensEndpoints.ResetMessage, reply.AssertOk().Json.GetProperty("message").GetString());
    }

    [DbFact]
    public async Task Phone_verification_sends_a_code_by_sms_and_confirms_the_number()
    {
        var world = await TestWorld.CreateAsync(App);
        var sent = await Api.Post("/api/v1/settings/send_phone_verification.json", ("auth_token", world.HostToken), ("phone", "(213)555-0147"));
        Assert.Equal("Verification code sent.", sent.AssertOk().Json.GetProperty("message").GetString());

        var sms = Directory.GetFiles(Path.Combine(App.DataDir, "outbox", "sms")).Select(File.ReadAllText)
            .Single(t => t.Contains("(213)555-0147", StringComparison.Ordinal));
        var code = System.Text.RegularExpressions.Regex.Match(sms, @"code is (\d{4})").Groups[1].Value;
        var wrong = code == "0000" ? "1111" : "0000";

        (await Api.Post("/api/v1/settings/verify_phone", ("auth_token", world.HostToken), ("token", wrong))).AssertError(400, "Invalid verification code");
        var verified = await Api.Post("/api/v1/settings/verify_phone.json", ("auth_token", world.HostToken), ("token", code));
        Assert.Equal("Your number was successfully confirmed.", verified.AssertOk().Json.GetProperty("message").GetString());
        var profile = (await Api.Get("/api/v1/profile", ("auth_token", world.HostToken))).AssertOk().Json;
        Assert.Equal("(213)555-0147", profile.GetProperty("phone").GetString());
        Assert.True(profile.GetProperty("phone_verified").GetBoolean());
    }

    [DbFact]
    public async Task Phone_verification_rejects_a_bad_number_and_rapid_resends()
    {
        var world = await TestWorld.CreateAsync(App);
        (await Api.Post("/api/v1/settings/send_phone_verification", ("auth_token", world.HostToken), ("phone", "12"))).AssertError(400);
        (await Api.Post("/api/v1/settings/send_phone_verification", ("auth_token", world.HostToken), ("phone", "(213)555-0148"))).AssertOk();
        (await Api.Post("/api/v1/settings/send_phone_verification", ("auth_token", world.HostToken), ("phone", "(213)555-0148"))).AssertError(429);
    }

    [DbFact]
    public async Task A_server_key_is_accepted_as_auth_token()
    {
        var world = await TestWorld.CreateAsync(App);
        var staff = (await Api.Get("/api/v1/staff.json", ("auth_token", world.ServerToken))).AssertOk().Json;
        Assert.Equal(2, staff.GetArrayLength());
    }
}

public sealed class TokensEndpointsTests_Sqlite(SqliteApp app) : TokensEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class TokensEndpointsTests_Postgres(PostgresApp app) : TokensEndpointsTests(app), IClassFixture<PostgresApp>;
