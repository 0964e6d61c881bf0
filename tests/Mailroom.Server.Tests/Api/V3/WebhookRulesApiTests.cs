using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class WebhookRulesApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    static Task<HttpResponseMessage> CreateAsync(MailroomApp app, TestAccount account, string eventJson, string targetUrl = "http://example.com/") =>
        app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(
            new JsonObject { ["api_secret"] = account.ApiSecret, ["target_url"] = targetUrl, ["event"] = JsonNode.Parse(eventJson) }.ToJsonString()));

    static Task Unprocessable(HttpResponseMessage response, string message) =>
        response.AssertJsonAsync(422, new JsonObject { ["error"] = "Unprocessable Entity", ["message"] = message }.ToJsonString());

    // Form 1, sequence 1 and tag 1 of the account (fresh database: the first of each).
    static async Task ArrangeFormSequenceTagAsync(MailroomApp app, long accountId) => await app.DbAsync(db =>
    {
        var t = MailroomApp.Start.UtcDateTime;
        db.Forms.Add(new Form { AccountId = accountId, Name = "Newsletter", Uid = "abc123", CreatedAt = t });
        db.Sequences.Add(new Sequence { AccountId = accountId, Name = "Onboarding", CreatedAt = t });
        db.Tags.Add(new Tag { AccountId = accountId, Name = "Customer", NormalizedName = "customer", CreatedAt = t, UpdatedAt = t });
        return db.SaveChangesAsync();
    });

    [Theory, Providers]
    public async Task CreateRule_EventsWithoutParameter_ReturnsRuleWithStoredName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        string[] events = ["subscriber.subscriber_activate", "subscriber.subscriber_unsubscribe", "subscriber.subscriber_bounce",
            "subscriber.subscriber_complain", "purchase.purchase_create"];

        for (var i = 0; i < events.Length; i++)
        {
            var response = await CreateAsync(app, account, $$$"""{"name":"{{{events[i]}}}"}""", $"https://hooks.example.com/{i}");
            var stored = events[i].Split('.')[1];
            await response.AssertJsonAsync(200, $$$"""
                {"rule":{"id":{{{i + 1}}},"account_id":{{{account.Id}}},"event":{"name":"{{{stored}}}"},"target_url":"https://hooks.example.com/{{{i}}}"}}
                """);
        }
        var rules = await app.DbAsync(db => db.WebhookRules.OrderBy(r => r.Id).Select(r => r.EventName + ":" + r.Status).ToListAsync());
        Assert.Equal(["subscriber_activate:enabled", "subscriber_unsubscribe:enabled", "subscriber_bounce:enabled",
            "subscriber_complain:enabled", "purchase_create:enabled"], rules);
    }

    [Theory, Providers]
    public async Task CreateRule_EventsWithIds_EchoesParameterUnderTheCallersNameAsNumber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await ArrangeFormSequenceTagAsync(app, account.Id);
        (string Request, string Stored)[] cases =
        [
            ("""{"name":"subscriber.form_subscribe","form_id":1}""", """{"name":"form_subscribe","form_id":1}"""),
            // The PHP SDK sends ids as strings.
            ("""{"name":"subscriber.course_subscribe","course_id":"1"}""", """{"name":"course_subscribe","course_id":1}"""),
            ("""{"name":"subscriber.course_complete","sequence_id":1}""", """{"name":"course_complete","sequence_id":1}"""),
            ("""{"name":"subscriber.tag_add","tag_id":"1"}""", """{"name":"tag_add","tag_id":1}"""),
            ("""{"name":"subscriber.tag_remove","tag_id":1}""", """{"name":"tag_remove","tag_id":1}"""),
            ("""{"name":"subscriber.product_purchase","product_id":"9999"}""", """{"name":"product_purchase","product_id":9999}"""),
            ("""{"name":"subscriber.link_click","initiator_value":"https://example.com/sale"}""", """{"name":"link_click","initiator_value":"https://example.com/sale"}"""),
        ];

        for (var i = 0; i < cases.Length; i++)
        {
            var response = await CreateAsync(app, account, cases[i].Request);
            await response.AssertJsonAsync(200, $$$"""
                {"rule":{"id":{{{i + 1}}},"account_id":{{{account.Id}}},"event":{{{cases[i].Stored}}},"target_url":"http://example.com/"}}
                """);
        }
    }

    [Theory, Providers]
    public async Task ListRules_AfterCreates_ReturnsBareArrayWithStatusAndInitiatorValue(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await ArrangeFormSequenceTagAsync(app, account.Id);
        await (await CreateAsync(app, account, """{"name":"subscriber.tag_add","tag_id":1}""")).AssertStatusAsync(200);
        await (await CreateAsync(app, account, """{"name":"subscriber.link_click","initiator_value":"https://example.com/a"}""", "https://hooks.example.com/x")).AssertStatusAsync(200);
        await (await CreateAsync(app, other, """{"name":"subscriber.subscriber_activate"}""")).AssertStatusAsync(200);

        // The Ruby gem asks with a trailing slash.
        var response = await app.Http.GetAsync($"/v3/automations/hooks/?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, $$$"""
            [{"rule":{"id":1,"account_id":{{{account.Id}}},"status":"enabled","event":{"name":"tag_add","tag_id":1,"initiator_value":null},"target_url":"http://example.com/"}},
             {"rule":{"id":2,"account_id":{{{account.Id}}},"status":"enabled","event":{"name":"link_click","initiator_value":"https://example.com/a"},"target_url":"https://hooks.example.com/x"}}]
            """);
    }

    [Theory, Providers]
    public async Task CreateRule_RubyGemQueryString_IsAccepted(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await ArrangeFormSequenceTagAsync(app, account.Id);

        var response = await app.Http.PostAsync(
            $"/v3/automations/hooks?api_secret={account.ApiSecret}&api_key={account.ApiKey}&target_url=http%3A%2F%2Fexample.com%2Fhook&event[name]=subscriber.tag_add&event[tag_id]=1",
            HttpAssert.Raw("", "application/vnd.api+json"));

        await response.AssertJsonAsync(200, $$$"""
            {"rule":{"id":1,"account_id":{{{account.Id}}},"event":{"name":"tag_add","tag_id":1},"target_url":"http://example.com/hook"}}
            """);
    }

    [Theory, Providers]
    public async Task CreateRule_UnknownOrMissingEvent_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.birthday"}"""), "Event name 'subscriber.birthday' is not supported");
        await Unprocessable(await CreateAsync(app, account, """{"tag_id":1}"""), "Event name can't be blank");
        var noEvent = await app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new { api_secret = account.ApiSecret, target_url = "http://example.com/" }));
        await Unprocessable(noEvent, "Event name can't be blank");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateRule_MissingParameter_Returns422NamingIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.form_subscribe"}"""), "Event form_id can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.course_subscribe","course_id":""}"""), "Event course_id or sequence_id can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.course_complete"}"""), "Event course_id or sequence_id can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.tag_add","tag_id":null}"""), "Event tag_id can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.tag_remove"}"""), "Event tag_id can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.link_click","initiator_value":"  "}"""), "Event initiator_value can't be blank");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.product_purchase"}"""), "Event product_id can't be blank");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateRule_IdsOfAnotherAccountOrUnknown_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await ArrangeFormSequenceTagAsync(app, other.Id);

        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.form_subscribe","form_id":1}"""), "Form does not exist");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.course_subscribe","sequence_id":"1"}"""), "Sequence does not exist");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.tag_add","tag_id":1}"""), "Tag does not exist");
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.tag_remove","tag_id":424242}"""), "Tag does not exist");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateRule_BadTargetUrl_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        const string activate = """{"name":"subscriber.subscriber_activate"}""";

        foreach (var url in new[] { "ftp://example.com/hook", "/relative/hook", "example.com/hook", "javascript:alert(1)", "http://" })
            await Unprocessable(await CreateAsync(app, account, activate, url), "Target url is invalid");
        await Unprocessable(await CreateAsync(app, account, activate, " "), "Target url can't be blank");
        await Unprocessable(await CreateAsync(app, account, activate, "https://example.com/" + new string('a', 2048)), "Target url is too long (maximum is 2048 characters)");
        // Every problem at once.
        await Unprocessable(await CreateAsync(app, account, """{"name":"subscriber.tag_add"}""", "nope"), "Target url is invalid, Event tag_id can't be blank");
    }

    [Theory, Providers]
    public async Task CreateRule_WrongTypes_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await CreateAsync(app, account, """{"name":"subscriber.tag_add","tag_id":"four"}"""))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"tag_id must be an integer"}""");
        await (await CreateAsync(app, account, "\"subscriber.tag_add\""))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"event must be an object"}""");
        await (await app.Http.PostAsync($"/v3/automations/hooks?api_secret={account.ApiSecret}", HttpAssert.Raw("{\"event\":{", "application/json")))
            .AssertStatusAsync(400);
    }

    [Theory, Providers]
    public async Task DestroyRule_Existing_ReturnsSuccessCancelsPendingDeliveriesAndKeepsHistory(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await (await CreateAsync(app, account, """{"name":"subscriber.subscriber_activate"}""")).AssertStatusAsync(200);
        await (await CreateAsync(app, account, """{"name":"purchase.purchase_create"}""")).AssertStatusAsync(200);
        await app.DbAsync(async db =>
        {
            var t = MailroomApp.Start.UtcDateTime;
            var ev = new OutboxEvent { AccountId = account.Id, EventName = "subscriber_activate", OccurredAt = t, ProcessedAt = t };
            db.OutboxEvents.Add(ev);
            await db.SaveChangesAsync();
            foreach (var (rule, status) in new[] { (1L, "pending"), (1L, "delivered"), (1L, "pending"), (2L, "pending") })
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    AccountId = account.Id, RuleId = rule, OutboxEventId = ev.Id, DeliveryId = Guid.NewGuid(), TargetUrl = "http://example.com/",
                    Payload = "{}", Status = status, NextAttemptAt = t, CreatedAt = t, LockedUntil = status == "pending" ? t.AddMinutes(1) : null,
                });
            await db.SaveChangesAsync();
        });

        // The PHP SDK sends the secret in a JSON body on DELETE.
        var response = await app.Http.SendJsonAsync(HttpMethod.Delete, "/v3/automations/hooks/1", new { api_secret = account.ApiSecret });

        await response.AssertJsonAsync(200, """{"success":true}""");
        var deliveries = await app.DbAsync(db => db.WebhookDeliveries.OrderBy(d => d.Id).Select(d => new { d.RuleId, d.Status, d.LockedUntil }).ToListAsync());
        Assert.Equal(["1:cancelled:", "1:delivered:", "1:cancelled:", "2:pending:2024-05-01 10:01:00"],
            deliveries.Select(d => $"{d.RuleId}:{d.Status}:{d.LockedUntil:yyyy-MM-dd HH:mm:ss}"));
        await (await app.Http.GetAsync($"/v3/automations/hooks?api_secret={account.ApiSecret}")).AssertJsonAsync(200, $$$"""
            [{"rule":{"id":2,"account_id":{{{account.Id}}},"status":"enabled","event":{"name":"purchase_create","initiator_value":null},"target_url":"http://example.com/"}}]
            """);
        await (await app.Http.DeleteAsync($"/v3/automations/hooks/1?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task DestroyRule_UnknownOrOtherAccounts_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await (await CreateAsync(app, other, """{"name":"subscriber.subscriber_activate"}""")).AssertStatusAsync(200);

        await (await app.Http.DeleteAsync($"/v3/automations/hooks/1?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.DeleteAsync($"/v3/automations/hooks/999?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        Assert.Equal("enabled", await app.DbAsync(db => db.WebhookRules.Select(r => r.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task WebhookRules_WithKeyOnly_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        const string denied = """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""";

        await (await app.Http.GetAsync($"/v3/automations/hooks?api_key={account.ApiKey}")).AssertJsonAsync(401, denied);
        await (await app.Http.DeleteAsync($"/v3/automations/hooks/1?api_key={account.ApiKey}")).AssertJsonAsync(401, denied);
        var create = await app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new { api_key = account.ApiKey, target_url = "http://example.com/", @event = new { name = "subscriber.subscriber_activate" } }));
        await create.AssertJsonAsync(401, denied);
    }
}
