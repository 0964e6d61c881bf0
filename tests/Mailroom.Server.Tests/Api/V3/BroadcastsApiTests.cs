using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class BroadcastsApiTests
{
    const string EmptyDraft = """
        {"broadcast":{"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":null,"description":null,"content":null,
         "public":false,"published_at":null,"send_at":null,"thumbnail_alt":null,"thumbnail_url":null,
         "email_address":"owner@acme.test","email_layout_template":"Text Only"}}
        """;

    [Theory, Providers]
    public async Task CreateBroadcast_NoParameters_Returns201EmptyDraftWithDefaults(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret }));

        await response.AssertJsonAsync(201, EmptyDraft);
        Assert.Equal("/v3/broadcasts/1", response.Headers.Location?.OriginalString);
        Assert.Equal("draft", await app.DbAsync(db => db.Broadcasts.Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_AllFieldsWithNaiveTimestamps_ReadsThemAsUtc(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        // As the PHP SDK and the WordPress library send it (spec §3.6).
        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, subject = "Weekly Update (04/26)", description = "Paid member newsletter",
            content = "<p>Hi {{ subscriber.first_name | default: 'there' }}</p>", @public = true,
            published_at = "2024-05-01 10:00:00", send_at = "2024-05-15 09:30:00",
            thumbnail_alt = "A cat", thumbnail_url = "https://example.com/cat.png", email_address = "news@acme.test",
            email_layout_template = "Text Only",
        }));

        const string expected = """
            {"broadcast":{"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":"Weekly Update (04/26)",
             "description":"Paid member newsletter","content":"<p>Hi {{ subscriber.first_name | default: 'there' }}</p>",
             "public":true,"published_at":"2024-05-01T10:00:00.000Z","send_at":"2024-05-15T09:30:00.000Z",
             "thumbnail_alt":"A cat","thumbnail_url":"https://example.com/cat.png","email_address":"news@acme.test",
             "email_layout_template":"Text Only"}}
            """;
        await response.AssertJsonAsync(201, expected);
        await (await app.Http.GetAsync($"/v3/broadcasts/1?api_secret={account.ApiSecret}")).AssertJsonAsync(200, expected);
        Assert.Equal("scheduled", await app.DbAsync(db => db.Broadcasts.Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_IsoTimestampsWithOffsets_ConvertsToUtc(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, send_at = "2024-05-15T11:30:00+02:00", published_at = "2024-04-30T22:15:00.250-05:00",
        }));

        var body = await response.AssertStatusAsync(201);
        Assert.Equal("2024-05-15T09:30:00.000Z", body["broadcast"]!["send_at"]!.GetValue<string>());
        Assert.Equal("2024-05-01T03:15:00.250Z", body["broadcast"]!["published_at"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task CreateBroadcast_QueryStringAndStringBoolean_AcceptsRubyGemStyle(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync(
            $"/v3/broadcasts?api_secret={account.ApiSecret}&subject=Hello&public=true&send_at=2024-06-01T08:00:00Z",
            HttpAssert.Raw("", "application/vnd.api+json"));

        var body = await response.AssertStatusAsync(201);
        Assert.Equal("Hello", body["broadcast"]!["subject"]!.GetValue<string>());
        Assert.True(body["broadcast"]!["public"]!.GetValue<bool>());
        Assert.Equal("2024-06-01T08:00:00.000Z", body["broadcast"]!["send_at"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task CreateBroadcast_BadDates_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, published_at = "2024-13-01 10:00:00", send_at = "next tuesday",
        }));

        await response.AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Published at is invalid, Send at is invalid"}""");
        Assert.Equal(0, await app.DbAsync(db => db.Broadcasts.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_UnknownLayoutAndBadSender_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, email_address = "not-an-address", email_layout_template = "My Branded Template",
        }));

        await response.AssertJsonAsync(422,
            """{"error":"Unprocessable Entity","message":"Email address is invalid, Email layout template 'My Branded Template' does not exist"}""");
    }

    [Theory, Providers]
    public async Task CreateBroadcast_AccountLayoutNamedInAnyCase_UsesItsName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await app.DbAsync(db =>
        {
            db.EmailLayouts.Add(new EmailLayout { AccountId = account.Id, Name = "My Branded Template", Html = "<div>{{ content }}</div>", CreatedAt = MailroomApp.Start.UtcDateTime });
            db.EmailLayouts.Add(new EmailLayout { AccountId = other.Id, Name = "Theirs", Html = "{{ content }}", CreatedAt = MailroomApp.Start.UtcDateTime });
            return db.SaveChangesAsync();
        });

        var mine = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, email_layout_template = "my branded template" }));
        var theirs = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, email_layout_template = "Theirs" }));

        var body = await mine.AssertStatusAsync(201);
        Assert.Equal("My Branded Template", body["broadcast"]!["email_layout_template"]!.GetValue<string>());
        await theirs.AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Email layout template 'Theirs' does not exist"}""");
    }

    [Theory, Providers]
    public async Task CreateBroadcast_ContentAndSubjectNotLiquid_Returns422WithParserReason(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, subject = "{% if vip %}VIP", content = "Hi {{ name ",
        }));

        await response.AssertJsonAsync(422, """
            {"error":"Unprocessable Entity","message":"Subject is not a valid Liquid template: '{% endif %}' was expected at (1:16), Content is not a valid Liquid template: End of tag '}}' was expected at (1:11)"}
            """);
        Assert.Equal(0, await app.DbAsync(db => db.Broadcasts.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_WithKeyOnly_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_key = account.ApiKey, subject = "x" }));

        await response.AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }

    [Theory, Providers]
    public async Task CreateBroadcast_WrongTypesAndMalformedJson_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var objectSubject = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = new { a = 1 } }));
        var badBoolean = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, @public = "maybe" }));
        var malformed = await app.Http.PostAsync($"/v3/broadcasts?api_secret={account.ApiSecret}", HttpAssert.Raw("{\"subject\": ", "application/json"));

        await objectSubject.AssertJsonAsync(400, """{"error":"Bad Request","message":"subject must be a string"}""");
        await badBoolean.AssertJsonAsync(400, """{"error":"Bad Request","message":"public must be true or false"}""");
        var body = await malformed.AssertStatusAsync(400);
        Assert.Equal("Bad Request", body["error"]!.GetValue<string>());
        Assert.Equal(0, await app.DbAsync(db => db.Broadcasts.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_HugeContent_Returns413(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, content = new string('x', 2 * 1024 * 1024) }));

        var body = await response.AssertStatusAsync(413);
        Assert.Equal("Payload Too Large", body["error"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task ListBroadcasts_DefaultAndDescending_OrdersByCreatedAtThenId(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await CreateAsync(app, account, new { subject = "First" });
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await CreateAsync(app, account, new { subject = "Second" });
        await CreateAsync(app, other, new { subject = "Not mine" });

        var asc = await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}");
        var desc = await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}&sort_order=desc");

        await asc.AssertJsonAsync(200, """
            {"broadcasts":[{"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":"First"},
                           {"id":2,"created_at":"2024-05-01T10:05:00.000Z","subject":"Second"}]}
            """);
        await desc.AssertJsonAsync(200, """
            {"broadcasts":[{"id":2,"created_at":"2024-05-01T10:05:00.000Z","subject":"Second"},
                           {"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":"First"}]}
            """);
    }

    [Theory, Providers]
    public async Task ListBroadcasts_Paging_Returns50PerPageAndEmptyPastTheEnd(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.DbAsync(db =>
        {
            for (var i = 1; i <= 51; i++)
                db.Broadcasts.Add(new Broadcast { AccountId = account.Id, Subject = $"B{i}", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
            return db.SaveChangesAsync();
        });

        var first = await (await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        var second = await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}&page=2");
        var third = await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}&page=3");

        Assert.Equal(50, first["broadcasts"]!.AsArray().Count);
        await second.AssertJsonAsync(200, """{"broadcasts":[{"id":51,"created_at":"2024-05-01T10:00:00.000Z","subject":"B51"}]}""");
        await third.AssertJsonAsync(200, """{"broadcasts":[]}""");
    }

    [Theory, Providers]
    public async Task ListBroadcasts_BadSortOrder_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/broadcasts?api_secret={account.ApiSecret}&sort_order=sideways");

        await response.AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Sort order must be asc or desc"}""");
    }

    [Theory, Providers]
    public async Task GetBroadcast_UnknownOrOtherAccounts_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await CreateAsync(app, other, new { subject = "Theirs" });

        foreach (var url in new[] { "/v3/broadcasts/1", "/v3/broadcasts/999", "/v3/broadcasts/1/stats", "/v3/broadcasts/99999999999999999999" })
        {
            var response = await app.Http.GetAsync($"{url}?api_secret={account.ApiSecret}");
            await response.AssertJsonAsync(404, """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""");
        }
    }

    [Theory, Providers]
    public async Task OpenApiDocument_BroadcastPurchaseAndWebhookRoutes_AreListed(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var document = await (await app.Http.GetAsync("/openapi/v3.json")).AssertStatusAsync(200);

        var paths = document["paths"]!.AsObject();
        Assert.Equal(["get", "post"], Operations(paths, "/v3/broadcasts"));
        Assert.Equal(["delete", "get", "put"], Operations(paths, "/v3/broadcasts/{id}"));
        Assert.Equal(["get"], Operations(paths, "/v3/broadcasts/{id}/stats"));
        Assert.Equal(["get", "post"], Operations(paths, "/v3/purchases"));
        Assert.Equal(["get"], Operations(paths, "/v3/purchases/{id}"));
        Assert.Equal(["get", "post"], Operations(paths, "/v3/automations/hooks"));
        Assert.Equal(["delete"], Operations(paths, "/v3/automations/hooks/{id}"));
    }

    static string[] Operations(System.Text.Json.Nodes.JsonObject paths, string path) =>
        [.. paths[path]!.AsObject().Select(p => p.Key).Where(k => k is "get" or "post" or "put" or "delete").Order()];

    internal static async Task CreateAsync(MailroomApp app, TestAccount account, object fields)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["api_secret"] = account.ApiSecret;
        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(body.ToJsonString()));
        await response.AssertStatusAsync(201);
    }
}
