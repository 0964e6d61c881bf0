using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>Every way spec §1.3 says clients send parameters, read through the real pipeline.</summary>
public sealed class ParameterMergingTests
{
    const string Nulls = """{"page":null,"count":null,"flag":null,"amount":null,"name":null,"ids":null}""";

    static Task<HttpResponseMessage> Send(PipelineApp app, HttpMethod method, string url, HttpContent? content = null) =>
        app.Http.SendAsync(new HttpRequestMessage(method, url) { Content = content });

    [Theory, Providers]
    public async Task Echo_QueryAndJsonBody_MergedWithBodyWinning(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        var response = await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&name=query&first_name=Jon&fields[a]=1",
            HttpAssert.Json(new { name = "body", email = "jon@example.com", fields = new { b = "2" } }));

        await response.AssertJsonAsync(200, """{"name":"body","first_name":"Jon","email":"jon@example.com","fields":{"b":"2"}}""");
    }

    [Theory, Providers]
    public async Task Echo_FormBody_NestsBracketsAndWinsOverQuery(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        var response = await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&name=query&state=active",
            HttpAssert.Form(("name", "form value"), ("fields[last_name]", "Snow"), ("tags[]", "1"), ("tags[]", "2"), ("email", "a+b@example.com")));

        await response.AssertJsonAsync(200,
            """{"name":"form value","state":"active","fields":{"last_name":"Snow"},"tags":["1","2"],"email":"a+b@example.com"}""");
    }

    [Theory, Providers]
    public async Task Echo_RailsBracketsInQuery_Nested(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var k = $"api_key={a.ApiKey}";

        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&tag[][name]=A&tag[][name]=B"))
            .AssertJsonAsync(200, """{"tag":[{"name":"A"},{"name":"B"}]}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&tag[name]=Solo"))
            .AssertJsonAsync(200, """{"tag":{"name":"Solo"}}""");
        await (await Send(app, HttpMethod.Put, $"/v3/_echo?{k}&fields[last_name]=Snow&first_name=Jon"))
            .AssertJsonAsync(200, """{"fields":{"last_name":"Snow"},"first_name":"Jon"}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&event[name]=subscriber.tag_add&event[tag_id]=4&target_url=http://x.test/h"))
            .AssertJsonAsync(200, """{"event":{"name":"subscriber.tag_add","tag_id":"4"},"target_url":"http://x.test/h"}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&tags[]=1&tags[]=2"))
            .AssertJsonAsync(200, """{"tags":["1","2"]}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&tags[0]=1&tags[1]=2"))
            .AssertJsonAsync(200, """{"tags":{"0":"1","1":"2"}}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?{k}&tag%5B%5D%5Bname%5D=A&tag%5B%5D%5Bname%5D=B"))
            .AssertJsonAsync(200, """{"tag":[{"name":"A"},{"name":"B"}]}""");
    }

    [Theory, Providers]
    public async Task Echo_InterleavedArrayOfObjects_KeepsEachElementTogether(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        // Faraday (the Ruby gem) writes arrays of hashes element by element, as Rails reads them back.
        var query = "purchase[products][][name]=A&purchase[products][][pid]=1&purchase[products][][name]=B&purchase[products][][pid]=2";
        var expected = """{"purchase":{"products":[{"name":"A","pid":"1"},{"name":"B","pid":"2"}]}}""";

        await (await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&{query}")).AssertJsonAsync(200, expected);
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}", Bodies.Raw(query, "application/x-www-form-urlencoded")))
            .AssertJsonAsync(200, expected);
        // Rails starts a new element only when the last one already has the full nested key.
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&p[][d][a]=1&p[][d][b]=2&p[][d][a]=3"))
            .AssertJsonAsync(200, """{"p":[{"d":{"a":"1","b":"2"}},{"d":{"a":"3"}}]}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&p[][tags][]=1&p[][tags][]=2&p[][name]=X&p[][name]=Y"))
            .AssertJsonAsync(200, """{"p":[{"tags":["1","2"],"name":"X"},{"name":"Y"}]}""");
    }

    [Theory, Providers]
    public async Task Typed_ListsInEveryShape_ReadAsLongs(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var k = $"api_key={a.ApiKey}";
        var ids = Nulls.Replace("\"ids\":null", "\"ids\":[12,34]");

        // ConvertkitSharp sends comma-separated ids in the query string.
        await (await Send(app, HttpMethod.Get, $"/v3/_typed?{k}&ids=12,34")).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Get, $"/v3/_typed?{k}&ids=12%2C%2034")).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Get, $"/v3/_typed?{k}&ids[]=12&ids[]=34")).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Get, $"/v3/_typed?{k}&ids[1]=34&ids[0]=12")).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Post, $"/v3/_typed?{k}", HttpAssert.Json("""{"ids":[12,"34"]}"""))).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Post, $"/v3/_typed?{k}", HttpAssert.Json("""{"ids":"12,34"}"""))).AssertJsonAsync(200, ids);
        await (await Send(app, HttpMethod.Post, $"/v3/_typed?{k}", HttpAssert.Json("""{"ids":12}""")))
            .AssertJsonAsync(200, Nulls.Replace("\"ids\":null", "\"ids\":[12]"));
    }

    [Theory, Providers]
    public async Task Typed_NumericStringsAndBooleanStrings_Accepted(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Send(app, HttpMethod.Get, $"/v3/_typed?api_key={a.ApiKey}&page=2&count=%205&flag=true&amount=5.50&name=%20Jon%20"))
            .AssertJsonAsync(200, """{"page":2,"count":5,"flag":true,"amount":5.50,"name":"Jon","ids":null}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_typed?api_key={a.ApiKey}",
                HttpAssert.Json("""{"page":"3","count":4,"flag":"false","amount":"7","name":12}""")))
            .AssertJsonAsync(200, """{"page":3,"count":4,"flag":false,"amount":7,"name":"12","ids":null}""");
        await (await Send(app, HttpMethod.Post, $"/v3/_typed?api_key={a.ApiKey}",
                HttpAssert.Json("""{"page":null,"flag":true,"name":"   ","ids":null}""")))
            .AssertJsonAsync(200, Nulls.Replace("\"flag\":null", "\"flag\":true"));
    }

    [Theory, Providers]
    public async Task Echo_EmptyFlags_TreatedAsAbsent(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        // The Ruby gem's recorded requests: `...&fields&first_name&tags` for parameters it didn't set.
        await (await Send(app, HttpMethod.Post, $"/v3/_echo?api_key={a.ApiKey}&email=jon@example.com&fields&first_name&tags&courses=",
                Bodies.Raw("", "application/vnd.api+json")))
            .AssertJsonAsync(200, """{"email":"jon@example.com"}""");
        await (await Send(app, HttpMethod.Get, $"/v3/_typed?api_key={a.ApiKey}&page&flag=&ids"))
            .AssertJsonAsync(200, Nulls);
    }

    [Theory, Providers]
    public async Task Echo_JsonContentTypes_AllRead(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var body = $$"""{"api_key":"{{a.ApiKey}}","email":"jon@example.com"}""";

        foreach (var type in new[] { "application/json", "application/json; charset=utf-8", "application/vnd.api+json", "text/plain" })
            await (await Send(app, HttpMethod.Post, "/v3/_echo", Bodies.Raw(body, type)))
                .AssertJsonAsync(200, """{"email":"jon@example.com"}""");
        // A JSON body with no content type at all is still JSON.
        var bare = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        await (await Send(app, HttpMethod.Post, "/v3/_echo", bare)).AssertJsonAsync(200, """{"email":"jon@example.com"}""");
    }

    [Theory, Providers]
    public async Task Echo_DeleteWithJsonBody_ReadsBody(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        var response = await Send(app, HttpMethod.Delete, "/v3/_echo",
            HttpAssert.Json(new { api_secret = a.ApiSecret, email = "jon@example.com", tag = new[] { 1, 2 } }));

        await response.AssertJsonAsync(200, """{"email":"jon@example.com","tag":[1,2]}""");
    }

    [Theory, Providers]
    public async Task Paths_TrailingSlashAndLetterCase_Tolerated(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Send(app, HttpMethod.Post, $"/V3/_ECHO/?api_key={a.ApiKey}&x=1")).AssertJsonAsync(200, """{"x":"1"}""");
        await (await Send(app, HttpMethod.Get, $"/v3/Account/?api_secret={a.ApiSecret}"))
            .AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""");
        await (await Send(app, HttpMethod.Get, $"/v3/account//?api_secret={a.ApiSecret}"))
            .AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""");
    }

    [Theory, Providers]
    public async Task Paths_JunkAfterNumericId_ReadLikeRailsToI(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        // n8n sends `tags/{id}>/unsubscribe`; Rails read the id with to_i.
        foreach (var path in new[] { "/v3/_items/12>/sub", "/v3/_items/12%3E/sub", "/v3/_items/12abc/sub/", "/v3/_items/12/sub" })
            await (await Send(app, HttpMethod.Get, $"{path}?api_key={a.ApiKey}")).AssertJsonAsync(200, """{"id":12}""");
        // A dotted suffix is a format (forms/12.js), not junk, so it is left alone.
        await (await Send(app, HttpMethod.Get, $"/v3/_items/12.js/sub?api_key={a.ApiKey}"))
            .AssertJsonAsync(404, """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""");
    }

    [Theory, Providers]
    public async Task IntegrationKey_AnyRoute_AcceptedAndIgnored(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await Send(app, HttpMethod.Get, $"/v3/account?api_secret={a.ApiSecret}&integration_key=partner-123"))
            .AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""");
        await (await Send(app, HttpMethod.Post, "/v3/_typed",
                HttpAssert.Json(new { api_key = a.ApiKey, integration_key = "partner-123", page = 1 })))
            .AssertJsonAsync(200, Nulls.Replace("\"page\":null", "\"page\":1"));
        // Without a credential the integration key is not one.
        await (await Send(app, HttpMethod.Get, "/v3/account?integration_key=partner-123"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"API Key not present"}""");
    }
}
