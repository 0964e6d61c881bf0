using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class TagsApiTests
{
    const string Created = "2024-05-01T10:00:00.000Z";
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";
    const string Blank = """{"error":"Unprocessable Entity","message":"Name can't be blank"}""";
    const string Taken = """{"error":"Unprocessable Entity","message":"Name has already been taken"}""";

    static Task<List<string>> TagNamesAsync(MailroomApp app) =>
        app.DbAsync(db => db.Tags.OrderBy(t => t.Id).Select(t => t.Name).ToListAsync());

    [Theory, Providers]
    public async Task ListTags_WithKey_ReturnsOwnTags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var customer = await app.AddTagAsync(account.Id, "Customer");
        var lead = await app.AddTagAsync(account.Id, "Lead");
        await app.AddTagAsync(other.Id, "Not mine");
        var empty = await app.CreateAccountAsync("Empty", "empty@acme.test");

        await (await app.Http.GetAsync($"/v3/tags?api_key={account.ApiKey}")).AssertJsonAsync(200, $$"""
            {"tags":[{"id":{{customer.Id}},"name":"Customer","created_at":"{{Created}}"},{"id":{{lead.Id}},"name":"Lead","created_at":"{{Created}}"}]}
            """);
        await (await app.Http.GetAsync($"/v3/tags?api_key={empty.ApiKey}")).AssertJsonAsync(200, """{"tags":[]}""");
    }

    [Theory, Providers]
    public async Task CreateTag_Object_Returns201WithSingleTag(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = " Customer " } }));

        var id = await app.DbAsync(db => db.Tags.Select(t => t.Id).SingleAsync());
        await response.AssertJsonAsync(201, $$"""
            {"id":{{id}},"name":"Customer","created_at":"{{Created}}","account_id":{{account.Id}},"state":"available",
             "updated_at":"{{Created}}","deleted_at":null}
            """);
    }

    [Theory, Providers]
    public async Task CreateTags_Array_Returns201WithArrayInInputOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/tags",
            HttpAssert.Json(new { api_secret = account.ApiSecret, tag = new[] { new { name = "Zebra" }, new { name = "Apple" } } }));

        var ids = await app.DbAsync(db => db.Tags.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        await response.AssertJsonAsync(201, $$"""
            [{"id":{{ids[0]}},"name":"Zebra","created_at":"{{Created}}","account_id":{{account.Id}},"state":"available","updated_at":"{{Created}}","deleted_at":null},
             {"id":{{ids[1]}},"name":"Apple","created_at":"{{Created}}","account_id":{{account.Id}},"state":"available","updated_at":"{{Created}}","deleted_at":null}]
            """);
    }

    [Theory, Providers]
    public async Task CreateTags_OneElementArray_ReturnsArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new[] { new { name = "Solo" } } }));

        var id = await app.DbAsync(db => db.Tags.Select(t => t.Id).SingleAsync());
        await response.AssertJsonAsync(201, $$"""
            [{"id":{{id}},"name":"Solo","created_at":"{{Created}}","account_id":{{account.Id}},"state":"available","updated_at":"{{Created}}","deleted_at":null}]
            """);
    }

    [Theory, Providers]
    public async Task CreateTags_RailsBracketsInQuery_CreateObjectOrArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var single = await app.Http.PostAsync($"/v3/tags?api_key={account.ApiKey}&tag[name]=Single", HttpAssert.Raw("", "application/vnd.api+json"));
        var many = await app.Http.PostAsync($"/v3/tags?api_key={account.ApiKey}&tag[][name]=One&tag[][name]=Two", null);
        var indexed = await app.Http.PostAsync("/v3/tags",
            HttpAssert.Form(("api_key", account.ApiKey), ("tag[0][name]", "Three"), ("tag[1][name]", "Four")));

        Assert.Equal("Single", (await single.AssertStatusAsync(201))["name"]!.GetValue<string>());
        Assert.Equal(["One", "Two"], (await many.AssertStatusAsync(201)).AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(["Three", "Four"], (await indexed.AssertStatusAsync(201)).AsArray().Select(t => t!["name"]!.GetValue<string>()));
    }

    [Theory, Providers]
    public async Task CreateTags_BlankOrMissingName_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = "  " } }))).AssertJsonAsync(422, Blank);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { } }))).AssertJsonAsync(422, Blank);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey }))).AssertJsonAsync(422, Blank);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = Array.Empty<object>() }))).AssertJsonAsync(422, Blank);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new object[] { new { name = "Fine" }, new { name = "" } } })))
            .AssertJsonAsync(422, Blank);
        Assert.Empty(await TagNamesAsync(app));
    }

    [Theory, Providers]
    public async Task CreateTags_NameTooLong_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = new string('x', 256) } }));

        await response.AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Name is too long (maximum is 255 characters)"}""");
    }

    [Theory, Providers]
    public async Task CreateTags_ExistingNameAnyCase_Returns422AndCreatesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await app.AddTagAsync(account.Id, "Customer");
        await app.AddTagAsync(other.Id, "Lead");

        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = "CUSTOMER" } })))
            .AssertJsonAsync(422, Taken);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new[] { new { name = "New" }, new { name = "customer" } } })))
            .AssertJsonAsync(422, Taken);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new[] { new { name = "Twin" }, new { name = "TWIN" } } })))
            .AssertJsonAsync(422, Taken);
        // Another account's tag name is no conflict.
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = "Lead" } }))).AssertStatusAsync(201);

        Assert.Equal(["Customer", "Lead", "Lead"], await TagNamesAsync(app));
    }

    [Theory, Providers]
    public async Task CreateTags_WrongTypes_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        const string Expected = """{"error":"Bad Request","message":"tag must be an object or an array of objects"}""";

        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = 5 }))).AssertJsonAsync(400, Expected);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new[] { "Customer" } }))).AssertJsonAsync(400, Expected);
        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = new[] { "x" } } })))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"tag[name] must be a string"}""");
        Assert.Empty(await TagNamesAsync(app));
    }

    [Theory, Providers]
    public async Task CreateTags_ParallelSameName_OneCreatedOthers422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            app.Http.PostAsync("/v3/tags", HttpAssert.Json(new { api_key = account.ApiKey, tag = new { name = "Race" } }))));

        Assert.Equal([201, 422, 422, 422], responses.Select(r => (int)r.StatusCode).Order());
        foreach (var r in responses.Where(r => (int)r.StatusCode == 422)) await r.AssertJsonAsync(422, Taken);
        Assert.Equal(["Race"], await TagNamesAsync(app));
    }
}
