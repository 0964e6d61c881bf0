using System.Net.Http.Headers;
using System.Text;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api.Input;

/// <summary>
/// Text a parameter cannot hold (invalid UTF-8, a JSON escape of half a surrogate pair, U+0000) is a 400 before any
/// handler runs, on every /v3 route the app maps, with and without credentials (issue 16 item 5).
/// </summary>
public sealed class InvalidTextTests
{
    const string NotUtf8 = """{"error":"Bad Request","message":"Request body is not valid UTF-8"}""";
    const string NotJson = """{"error":"Bad Request","message":"Request body is not valid JSON"}""";
    const string Nul = """{"error":"Bad Request","message":"Request parameters must not contain NUL (U+0000) characters"}""";

    /// <summary>Every /v3 route and verb the app serves, taken from its routing table, route values filled with 1.</summary>
    static List<(HttpMethod Method, string Path)> V3Routes(MailroomApp app)
    {
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v3/", StringComparison.OrdinalIgnoreCase) == true
                && !e.RoutePattern.RawText.Contains("**", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (new HttpMethod(m), FillRouteValues(e.RoutePattern.RawText!))))
            .Distinct().ToList();
        Assert.True(routes.Count >= 30, $"expected the whole v3 API, found {routes.Count} routes");
        return routes;
    }

    static string FillRouteValues(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", "1");

    static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    static byte[] Concat(string before, byte[] middle, string after) =>
        [.. Encoding.ASCII.GetBytes(before), .. middle, .. Encoding.ASCII.GetBytes(after)];

    static async Task AssertEveryRouteAsync(MailroomApp app, string query, Func<HttpContent> body, string expected)
    {
        foreach (var (method, path) in V3Routes(app))
        {
            var response = await app.Http.SendAsync(new HttpRequestMessage(method, path + query) { Content = body() });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 400, $"{method} {path}{query}: {(int)response.StatusCode} {text}");
            await response.AssertJsonAsync(400, expected);
        }
    }

    [Theory, Providers]
    public async Task InvalidUtf8InJsonString_EveryRoute_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        // The issue's own request: the credential itself is the unreadable string.
        await AssertEveryRouteAsync(app, "", () => Bytes(Concat("{\"api_key\":\"", [0xff], "\"}"), "application/json"), NotUtf8);
        // With valid credentials, in a parameter the handlers read (name, email, tag...) and in one they don't.
        foreach (var name in new[] { "name", "email", "unused" })
            await AssertEveryRouteAsync(app, $"?api_secret={account.ApiSecret}",
                () => Bytes(Concat($"{{\"{name}\":\"a", [0xc3, 0x28], "b\"}"), "application/json"), NotUtf8);
        // A truncated sequence at the very end of the body, in a key rather than a value.
        await AssertEveryRouteAsync(app, $"?api_secret={account.ApiSecret}",
            () => Bytes(Concat("{\"x", [0xe2, 0x82], "\":1}"), "application/json"), NotUtf8);
    }

    [Theory, Providers]
    public async Task LoneSurrogateEscape_EveryRoute_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        // Valid UTF-8 bytes, but "\ud800" decodes to half a character no string can be stored as.
        await AssertEveryRouteAsync(app, "", () => HttpAssert.Json("""{"api_key":"\ud800"}"""), NotJson);
        await AssertEveryRouteAsync(app, $"?api_secret={account.ApiSecret}",
            () => HttpAssert.Json("""{"tag":{"name":"x\udfff"},"email":"a\ud800@b.test"}"""), NotJson);
    }

    [Theory, Providers]
    public async Task InvalidUtf8InFormBody_EveryRoute_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        // Raw bytes (not %-escaped) in a form body; %FF itself stays the three characters "%FF", as Rails reads it.
        await AssertEveryRouteAsync(app, "",
            () => Bytes(Concat("api_key=", [0xff], ""), "application/x-www-form-urlencoded"), NotUtf8);
        await AssertEveryRouteAsync(app, $"?api_secret={account.ApiSecret}",
            () => Bytes(Concat("email=a", [0xff], "@b.test&tag[name]=x"), "application/x-www-form-urlencoded"), NotUtf8);
    }

    [Theory, Providers]
    public async Task NulCharacter_AnyWhereParametersComeFrom_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, "Newsletter");

        // PostgreSQL cannot store U+0000: before, this subscribe failed inside the insert on that provider.
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "a@b.test", first_name = "A\0B" }))).AssertJsonAsync(400, Nul);
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe?api_key={account.ApiKey}&email=a@b.test&first_name=A%00B", null))
            .AssertJsonAsync(400, Nul);
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Form(("api_key", account.ApiKey), ("email", "a@b.test"), ("fields[x\0y]", "1")))).AssertJsonAsync(400, Nul);
        // The key in the query string is as good as ever once the bad value is gone.
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe?api_key={account.ApiKey}&email=a@b.test&first_name=AB", null))
            .AssertStatusAsync(200);
        Assert.Equal(1, await app.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Subscribers)));
    }
}
