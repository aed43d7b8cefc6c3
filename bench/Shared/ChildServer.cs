using System.Text.Json;
using Velvet.Api.Storage;

namespace Velvet.Bench;

/// <summary>What every benchmark does with the server it starts as a child process: wait for it, sign in.</summary>
internal static class ChildServer
{
    public static async Task WaitForServerAsync(HttpClient http)
    {
        for (var i = 0; i < 120; i++)
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException("server did not start");
    }

    /// <summary>Signs the demo admin in on the given device and returns the auth token.</summary>
    public static async Task<string> SignInAsync(HttpClient http, string deviceToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = DemoData.AdminEmail,
            ["password"] = DemoData.AdminPassword,
            ["device_token"] = deviceToken,
        });
        var reply = await http.PostAsync("/api/v1/tokens.json", form);
        using var json = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }
}
