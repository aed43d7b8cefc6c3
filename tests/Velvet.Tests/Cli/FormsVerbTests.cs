using Velvet.Api.Cli;
using Velvet.Tests.Exports;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Cli;

/// <summary>`forms add` on the database a running server uses: the server's v2 form list shows the new form.</summary>
public abstract class FormsVerbTests(VelvetApp app) : IntegrationTest(app)
{
    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var code = await CliApp.RunAsync(args, output, App.CliConfiguration());
        return (code, output.ToString());
    }

    [DbFact]
    public async Task Forms_add_creates_a_form_that_the_form_list_shows_and_prints_its_token_once()
    {
        var world = await TestWorld.CreateAsync(App);
        var companyId = world.Company.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (code, output) = await RunAsync("forms", "add", "--company", companyId, "--name", "Website sign-up");
        Assert.Equal(0, code);
        Assert.Matches(@"^form \d+ Website sign-up \(signup\)\ntoken: [A-Za-z0-9_-]{32}\n$", output.ReplaceLineEndings("\n"));
        var formId = int.Parse(output.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        (code, output) = await RunAsync("forms", "add", "--company", companyId, "--name", "Door tablet", "--type", "checkin");
        Assert.Equal(0, code);
        var doorId = int.Parse(output.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        var data = (await new V2Client(Api, App, world.V2User, world.V2Secret).Get("/api/v2/form")).AssertV2Ok();
        Assert.Equal(
            $$"""[{"id":{{formId}},"name":"Website sign-up","type":"signup"},{"id":{{doorId}},"name":"Door tablet","type":"checkin"}]""",
            data.GetRawText());
    }

    [DbFact]
    public async Task Forms_add_for_an_unknown_company_is_refused()
    {
        var (code, output) = await RunAsync("forms", "add", "--company", "999999", "--name", "Nowhere");
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", output, StringComparison.Ordinal);
    }
}

public sealed class FormsVerbTests_Sqlite(SqliteApp app) : FormsVerbTests(app), IClassFixture<SqliteApp>;

public sealed class FormsVerbTests_Postgres(PostgresApp app) : FormsVerbTests(app), IClassFixture<PostgresApp>;
