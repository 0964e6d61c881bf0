using System.Net;
using System.Text;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>Every error the pipeline writes itself, byte for byte (spec §1.5 and §8).</summary>
public sealed class ErrorBodyTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";
    const string ServerError = """{"error":"Internal Server Error","message":"Something went wrong"}""";
    const string TooLarge = """{"error":"Payload Too Large","message":"Request body must not exceed 1048576 bytes"}""";

    static string BadRequest(string message) => $$"""{"error":"Bad Request","message":"{{message}}"}""";

    static Task<HttpResponseMessage> Post(PipelineApp app, string url, HttpContent content) =>
        app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = content });

    [Theory, Providers]
    public async Task Body_MalformedJson_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json("{\"name\":")))
            .AssertJsonAsync(400, BadRequest("Request body is not valid JSON: unexpected input at line 1, position 9"));
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json("{\n  \"a\": 1,\n  oops\n}")))
            .AssertJsonAsync(400, BadRequest("Request body is not valid JSON: unexpected input at line 3, position 3"));
        // The body is read before credentials are checked: a broken body may be hiding them.
        await (await Post(app, "/v3/_echo", HttpAssert.Json("{nope"))).AssertJsonAsync(400,
            BadRequest("Request body is not valid JSON: unexpected input at line 1, position 2"));
    }

    [Theory, Providers]
    public async Task Body_NestedTooDeep_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);

        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json(deep)))
            .AssertJsonAsync(400, BadRequest("Request body is not valid JSON: unexpected input at line 1, position 161"));
    }

    [Theory, Providers]
    public async Task Body_NotAnObject_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        foreach (var body in new[] { """[{"name":"A"}]""", "\"text\"", "42", "true" })
            await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json(body)))
                .AssertJsonAsync(400, BadRequest("Request body must be a JSON object"));
    }

    [Theory, Providers]
    public async Task Body_BlankNullOrBom_ReadsAsExpected(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}&x=1", HttpAssert.Json("null"))).AssertJsonAsync(200, """{"x":"1"}""");
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}&x=1", HttpAssert.Json(" \r\n "))).AssertJsonAsync(200, """{"x":"1"}""");
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}&x=1", Bodies.Raw(" ", "application/x-www-form-urlencoded")))
            .AssertJsonAsync(200, """{"x":"1"}""");
        // A UTF-8 byte order mark (some Windows clients) is not part of the JSON.
        var bom = new ByteArrayContent([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("""{"y":2}""")]);
        bom.Headers.ContentType = new("application/json");
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}&x=1", bom)).AssertJsonAsync(200, """{"x":"1","y":2}""");
    }

    [Theory, Providers]
    public async Task Body_DuplicateKeys_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json("""{"name":"A","name":"B"}""")))
            .AssertJsonAsync(400, BadRequest("Request body is not valid JSON: duplicate property name"));
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json("""{"tag":[{"name":"A","name":"B"}]}""")))
            .AssertJsonAsync(400, BadRequest("Request body is not valid JSON: duplicate property name"));
    }

    [Theory, Providers]
    public async Task Body_Multipart_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var multipart = new MultipartFormDataContent { { new StringContent(a.ApiKey), "api_key" } };

        await (await Post(app, "/v3/_echo", multipart)).AssertJsonAsync(400,
            BadRequest("multipart/form-data bodies are not supported; send JSON or form-encoded parameters"));
    }

    [Theory, Providers]
    public async Task Params_WrongTypes_Return400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var url = $"/v3/_typed?api_key={a.ApiKey}";

        await (await Post(app, url, HttpAssert.Json("""{"page":"abc"}"""))).AssertJsonAsync(400, BadRequest("page must be an integer"));
        await (await Post(app, url, HttpAssert.Json("""{"page":1.5}"""))).AssertJsonAsync(400, BadRequest("page must be an integer"));
        await (await Post(app, url, HttpAssert.Json("""{"page":[1]}"""))).AssertJsonAsync(400, BadRequest("page must be an integer"));
        await (await Post(app, url, HttpAssert.Json("""{"count":3000000000}"""))).AssertJsonAsync(400, BadRequest("count is out of range"));
        await (await Post(app, url, HttpAssert.Json("""{"flag":"maybe"}"""))).AssertJsonAsync(400, BadRequest("flag must be true or false"));
        await (await Post(app, url, HttpAssert.Json("""{"amount":"lots"}"""))).AssertJsonAsync(400, BadRequest("amount must be a number"));
        await (await Post(app, url, HttpAssert.Json("""{"name":{"first":"Jon"}}"""))).AssertJsonAsync(400, BadRequest("name must be a string"));
        await (await Post(app, url, HttpAssert.Json("""{"ids":"1,x"}"""))).AssertJsonAsync(400, BadRequest("ids must be an integer"));
        await (await Post(app, url, HttpAssert.Json("""{"page":1e400}"""))).AssertJsonAsync(400, BadRequest("page must be an integer"));
        await (await Post(app, url, HttpAssert.Json("""{"amount":1e400}"""))).AssertJsonAsync(400, BadRequest("amount must be a number"));
        await (await app.Http.GetAsync($"{url}&page=2x")).AssertJsonAsync(400, BadRequest("page must be an integer"));
        // A client's bad input is not a server fault: nothing is logged as an error.
        Assert.DoesNotContain(app.Logs.Lines, l => l.StartsWith("Error") || l.StartsWith("Critical"));
    }

    [Theory, Providers]
    public async Task Body_AtTheLimit_Accepted(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var head = $$"""{"api_key":"{{a.ApiKey}}","pad":" """;
        var body = head + new string('x', 1024 * 1024 - head.Length - 2) + "\"}";
        Assert.Equal(1024 * 1024, Encoding.UTF8.GetByteCount(body));

        var response = await Post(app, "/v3/_typed", HttpAssert.Json(body));

        await response.AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task Body_OverLimitWithContentLength_Returns413(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var body = new string(' ', 1024 * 1024 - 1) + "{}";

        await (await Post(app, $"/v3/_work?api_key={a.ApiKey}", HttpAssert.Json(body))).AssertJsonAsync(413, TooLarge);
        await (await Post(app, $"/v3/_work?api_key={a.ApiKey}", HttpAssert.Form(("pad", new string('x', 1024 * 1024)))))
            .AssertJsonAsync(413, TooLarge);
        Assert.Equal(0, app.WorkDone);
    }

    [Theory, Providers]
    public async Task Body_OverLimitChunked_Returns413(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var content = new UnknownLengthContent(Encoding.UTF8.GetBytes(new string(' ', 1024 * 1024) + "{}"));
        content.Headers.ContentType = new("application/json");

        var response = await Post(app, $"/v3/_work?api_key={a.ApiKey}", content);

        Assert.Null(content.Headers.ContentLength);
        await response.AssertJsonAsync(413, TooLarge);
        Assert.Equal(0, app.WorkDone);
    }

    [Theory, Providers]
    public async Task Body_OverConfiguredLimit_Returns413WithThatLimit(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, new() { ["Api:MaxBodyBytes"] = "2048" });
        var a = await app.CreateAccountAsync();

        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json(new { pad = new string('x', 2039) })))
            .AssertJsonAsync(413, """{"error":"Payload Too Large","message":"Request body must not exceed 2048 bytes"}""");
        // {"pad":"…"} is 10 bytes of JSON around the padding: 2038 + 10 is exactly the limit.
        await (await Post(app, $"/v3/_echo?api_key={a.ApiKey}", HttpAssert.Json(new { pad = new string('x', 2038) })))
            .AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task UnknownRoute_AnyMethodNoCredentials_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH" })
            foreach (var path in new[] { "/v3/invalid-resource-type", "/v3", "/v3/", "/V3/Nope/deeper/", "/v3/account/extra" })
                await (await app.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)))
                    .AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task KnownRoute_UnsupportedVerb_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        // Kit has no 405: a verb it doesn't route is simply an unknown route.
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH" })
        {
            await (await app.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/v3/account"))).AssertJsonAsync(404, NotFound);
            await (await app.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/v3/account?api_secret={a.ApiSecret}")))
                .AssertJsonAsync(404, NotFound);
        }
    }

    [Theory, Providers]
    public async Task Handler_Throws_Returns500WithoutDetailsOrSecrets(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        var inQuery = await app.Http.GetAsync($"/v3/_boom?api_secret={a.ApiSecret}&api_key={a.ApiKey}");
        var inBody = await Post(app, "/v3/_boom", HttpAssert.Json(new { api_secret = a.ApiSecret }));
        var inForm = await Post(app, $"/v3/_boom?api_key={a.ApiKey}", HttpAssert.Form(("api_secret", a.ApiSecret)));

        foreach (var response in new[] { inQuery, inBody, inForm })
        {
            var text = await response.Content.ReadAsStringAsync();
            await response.AssertJsonAsync(500, ServerError);
            Assert.DoesNotContain(a.ApiSecret, text);
        }
        // The fault is logged (so operators see it) but without the request's parameters.
        Assert.Contains(app.Logs.Lines, l => l.Contains("Unhandled InvalidOperationException on GET /v3/_boom") && l.Contains("boom from a test handler"));
        AssertNoCredentialLogged(app, a);
    }

    [Theory, Providers]
    public async Task AnyRequest_Credentials_NeverLogged(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}")).AssertStatusAsync(200);
        await (await app.Http.GetAsync($"/v3/account?api_key={a.ApiKey}")).AssertStatusAsync(401);
        await (await app.Http.GetAsync("/v3/account?api_secret=wrong-secret-do-not-log")).AssertStatusAsync(401);
        await (await app.Http.GetAsync($"/v3/nowhere?api_secret={a.ApiSecret}")).AssertStatusAsync(404);
        await (await Post(app, $"/v3/_echo?api_secret={a.ApiSecret}", HttpAssert.Json("{bad"))).AssertStatusAsync(400);

        Assert.NotEmpty(app.Logs.Lines);
        AssertNoCredentialLogged(app, a);
        Assert.DoesNotContain("wrong-secret-do-not-log", app.Logs.All);
    }

    static void AssertNoCredentialLogged(PipelineApp app, TestAccount a)
    {
        var logs = app.Logs.All;
        Assert.DoesNotContain(a.ApiSecret, logs);
        Assert.DoesNotContain(a.ApiKey, logs);
    }

    /// <summary>A body sent with Transfer-Encoding: chunked (no Content-Length), as streaming clients do.</summary>
    sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
