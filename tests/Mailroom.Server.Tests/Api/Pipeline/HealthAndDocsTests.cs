using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Pipeline;

public sealed class HealthAndDocsTests
{
    [Theory, Providers]
    public async Task Healthz_DatabaseReachable_Returns200(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var response = await app.Http.GetAsync("/healthz");

        await response.AssertJsonAsync(200, """{"status":"ok"}""");
    }

    [Theory, Providers]
    public async Task Healthz_DatabaseUnreachable_Returns503(string provider)
    {
        // SQLite: a file that doesn't exist, opened without permission to create it. Postgres: a closed port.
        var unreachable = provider == DatabaseOptions.Postgres
            ? "Host=127.0.0.1;Port=1;Username=nobody;Password=nobody;Database=nowhere;Timeout=3;Pooling=false"
            : $"Data Source={Path.Combine(Path.GetTempPath(), $"mailroom-missing-{Guid.NewGuid():N}", "gone.db")};Mode=ReadWrite;Pooling=False";
        await using var app = await PipelineApp.StartAsync(provider, connectionString: unreachable);

        var response = await app.Http.GetAsync("/healthz");

        await response.AssertJsonAsync(503, """{"status":"unavailable","reason":"database"}""");
    }

    [Theory, Providers]
    public async Task V3_DatabaseUnreachable_Returns500WithoutLoggingTheSecret(string provider)
    {
        var unreachable = provider == DatabaseOptions.Postgres
            ? "Host=127.0.0.1;Port=1;Username=nobody;Password=nobody;Database=nowhere;Timeout=3;Pooling=false"
            : $"Data Source={Path.Combine(Path.GetTempPath(), $"mailroom-missing-{Guid.NewGuid():N}", "gone.db")};Mode=ReadWrite;Pooling=False";
        await using var app = await PipelineApp.StartAsync(provider, connectionString: unreachable);
        const string secret = "s3cr3t-that-must-not-be-logged";

        var response = await app.Http.GetAsync($"/v3/account?api_secret={secret}");

        await response.AssertJsonAsync(500, """{"error":"Internal Server Error","message":"Something went wrong"}""");
        Assert.Contains(app.Logs.Lines, l => l.StartsWith("Error") && l.Contains("GET /v3/account"));
        Assert.DoesNotContain(secret, app.Logs.All);
    }

    [Theory, Providers]
    public async Task OpenApi_ListsV3Routes_WithoutTheFallback(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var document = await (await app.Http.GetAsync("/openapi/v3.json")).AssertStatusAsync(200);

        var paths = document["paths"]!.AsObject();
        Assert.NotNull(paths["/v3/account"]?["get"]);
        Assert.All(paths, p => Assert.StartsWith("/v3/", p.Key));
        Assert.DoesNotContain(paths, p => p.Key.Contains('*'));
    }

    [Theory, Providers]
    public async Task Docs_Answers200Html(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        // Scalar sends /docs on to /docs/ so the page's relative asset paths resolve; browsers follow it.
        var redirect = await app.Http.GetAsync("/docs");
        Assert.Equal(302, (int)redirect.StatusCode);
        Assert.Equal("docs/", redirect.Headers.Location?.OriginalString);
        var response = await app.Http.GetAsync("/docs/");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        // Scalar resolves this against the site root (see its scalar.aspnetcore.js), i.e. /openapi/v3.json.
        Assert.Contains("\"url\":\"openapi/v3.json\"", html);
        Assert.Contains("\"url\":\"openapi/v4.json\"", html);
        Assert.Equal(200, (int)(await app.Http.GetAsync("/docs/scalar.aspnetcore.js")).StatusCode);
    }
}
