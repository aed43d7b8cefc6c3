using System.Net;

namespace Velvet.Api.Auth;

/// <summary>The page a reset e-mail links to: a plain form that posts the token and the new password.</summary>
internal static class PasswordResetForm
{
    public static IResult Show(HttpRequest request)
    {
        var token = WebUtility.HtmlEncode(request.Query["token"].ToString());
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Reset your Velvet password</title></head>
            <body>
              <h1>Choose a new password</h1>
              <form method="post" action="/password/reset">
                <input type="hidden" name="token" value="{token}">
                <p><label>New password <input type="password" name="password" minlength="{PasswordRules.MinLength}" required></label></p>
                <p><label>Confirm <input type="password" name="password_confirmation" required></label></p>
                <p><button type="submit">Change password</button></p>
              </form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
