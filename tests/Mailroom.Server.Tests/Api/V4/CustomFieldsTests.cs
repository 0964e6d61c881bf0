using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/custom_fields, and the custom_field.* events every path (v3 and v4) raises through the shared service.</summary>
public sealed class CustomFieldsTests
{
    /// <summary>The outbox as (event, match value, payload), in insertion order.</summary>
    internal static Task<List<(string Event, string? Match, string? Payload)>> EventsAsync(MailroomApp app) =>
        app.DbAsync(async db => (await db.OutboxEvents.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new { e.EventName, e.MatchValue, e.Payload }).ToListAsync())
            .Select(e => (e.EventName, e.MatchValue, e.Payload)).ToList());

    static string FieldJson(long id, string name, string key, string label) =>
        new JsonObject { ["id"] = id, ["name"] = name, ["key"] = key, ["label"] = label }.ToJsonString();

    [Theory, Providers]
    public async Task List_OldestFirst_PagedWithKitsCursors_OnlyThisAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var phone = await app.AddCustomFieldAsync(account.Id, "Phone Number");
        await app.AddCustomFieldAsync(other.Id, "Theirs");
        var city = await app.AddCustomFieldAsync(account.Id, "City");

        var all = await client.GetAsync("/v4/custom_fields");
        var first = await client.GetAsync("/v4/custom_fields?per_page=1");
        var second = await client.GetAsync($"/v4/custom_fields?per_page=1&after={first["pagination"]!["end_cursor"]}");

        AssertJson($$$"""
            {"custom_fields":[{"id":{{{phone.Id}}},"name":"ck_field_{{{phone.Id}}}_phone_number","key":"phone_number","label":"Phone Number"},
                              {"id":{{{city.Id}}},"name":"ck_field_{{{city.Id}}}_city","key":"city","label":"City"}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{{Cursor(phone.Id)}}}","end_cursor":"{{{Cursor(city.Id)}}}","per_page":500}}
            """, all.ToJsonString());
        Assert.Equal(phone.Id, first["custom_fields"]![0]!["id"]!.GetValue<long>());
        Assert.True(first["pagination"]!["has_next_page"]!.GetValue<bool>());
        Assert.Equal(city.Id, Assert.Single(second["custom_fields"]!.AsArray())!["id"]!.GetValue<long>());
        Assert.False(second["pagination"]!["has_next_page"]!.GetValue<bool>());
    }

    internal static string Cursor(long id) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"[{id}]"));

    [Theory, Providers]
    public async Task Create_New201_SameLabelAnyCase200_OneFieldCreatedEventWithItsBody(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        var created = await client.PostAsync("/v4/custom_fields", new { label = "  Interests " }, 201);
        var id = created["custom_field"]!["id"]!.GetValue<long>();
        var again = await client.PostAsync("/v4/custom_fields", new { label = "INTERESTS" }, 200);

        var expected = FieldJson(id, $"ck_field_{id}_interests", "interests", "Interests");
        AssertJson($$$"""{"custom_field":{{{expected}}}}""", created.ToJsonString());
        AssertJson($$$"""{"custom_field":{{{expected}}}}""", again.ToJsonString());
        var e = Assert.Single(await EventsAsync(app));
        Assert.Equal(("field_created", id.ToString()), (e.Event, e.Match));
        AssertJson($$$"""{"custom_field":{{{expected}}}}""", e.Payload!);
    }

    [Theory, Providers]
    public async Task Create_BadLabels_422WithKitsMessages_NothingCreated(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.AddCustomFieldAsync(account.Id, "First Name");

        await client.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 422, new { }, "Label can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 422, new { label = "   " }, "Label can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 422, new { label = "first_name" }, "Key has already been taken");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 422, new { label = "!!!" }, "Key can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 422, new { label = new string('a', 256) },
            "Label is too long (maximum is 255 characters)");
        await client.CallAsync(HttpMethod.Post, "/v4/custom_fields", 400, new { label = new { nested = 1 } });

        Assert.Equal(1, await app.DbAsync(db => db.CustomFields.CountAsync()));
        Assert.Empty(await EventsAsync(app));
    }

    [Theory, Providers]
    public async Task Create_HostileHtml_StoredVerbatim_ReturnedEscaped(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        const string label = "<script>alert('x')</script> Zip";

        using var response = await client.SendAsync(HttpMethod.Post, "/v4/custom_fields", new { label });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(201, (int)response.StatusCode);
        Assert.Contains("\\u003Cscript\\u003E", text);
        Assert.Equal(label, JsonNode.Parse(text)!["custom_field"]!["label"]!.GetValue<string>());
        Assert.Equal("script_alert_x_script_zip", JsonNode.Parse(text)!["custom_field"]!["key"]!.GetValue<string>());
        Assert.Equal(label, await app.DbAsync(db => db.CustomFields.Select(f => f.Label).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Update_LabelChangesKeyButNotName_OtherAccountsAndUnknownIds404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var field = await app.AddCustomFieldAsync(account.Id, "Last name");
        var taken = await app.AddCustomFieldAsync(account.Id, "Company");
        var theirs = await app.AddCustomFieldAsync(other.Id, "Theirs");

        var updated = await client.PutAsync($"/v4/custom_fields/{field.Id}", new { label = "Surname" });

        AssertJson($$$"""{"custom_field":{{{FieldJson(field.Id, $"ck_field_{field.Id}_last_name", "surname", "Surname")}}} }""", updated.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/custom_fields/{field.Id}", 422, new { label = "" }, "Label can't be blank");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/custom_fields/{field.Id}", 422, new { label = "company" }, "Label has already been taken");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/custom_fields/{theirs.Id}", 404, new { label = "Mine" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/custom_fields/{taken.Id + 999}", 404, new { label = "Mine" }, "Not Found");
        Assert.Equal("Theirs", await app.DbAsync(db => db.CustomFields.Where(f => f.Id == theirs.Id).Select(f => f.Label).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Delete_RemovesFieldAndValues_RaisesFieldDeletedWithItsBody_OtherAccounts404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var field = await app.AddCustomFieldAsync(account.Id, "Zip");
        var theirs = await app.AddCustomFieldAsync(other.Id, "Zip");
        var subscriber = await app.AddSubscriberAsync(account.Id, "jon@example.com");
        await app.SetFieldAsync(subscriber.Id, field.Id, "12345");

        await client.DeleteAsync($"/v4/custom_fields/{field.Id}");

        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/custom_fields/{field.Id}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/custom_fields/{theirs.Id}", 404, null, "Not Found");
        Assert.Equal(0, await app.DbAsync(db => db.SubscriberFieldValues.CountAsync()));
        Assert.Equal(1, await app.DbAsync(db => db.CustomFields.CountAsync()));
        var e = Assert.Single(await EventsAsync(app));
        Assert.Equal(("field_deleted", field.Id.ToString()), (e.Event, e.Match));
        AssertJson($$$"""{"custom_field":{{{FieldJson(field.Id, field.Name, "zip", "Zip")}}}}""", e.Payload!);
    }

    [Theory, Providers]
    public async Task V3CreateAndDelete_RaiseTheSameEvents_AndV4ListsWhatV3Made(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);

        var made = await (await app.Http.SendJsonAsync(HttpMethod.Post, "/v3/custom_fields",
            new { api_secret = account.ApiSecret, label = new[] { "Phone", "City" } })).AssertStatusAsync(201);
        var ids = made.AsArray().Select(f => f!["id"]!.GetValue<long>()).ToList();
        var listed = await client.GetAsync("/v4/custom_fields");
        await (await app.Http.SendJsonAsync(HttpMethod.Delete, $"/v3/custom_fields/{ids[0]}", new { api_secret = account.ApiSecret })).AssertStatusAsync(204);

        Assert.Equal(ids, listed["custom_fields"]!.AsArray().Select(f => f!["id"]!.GetValue<long>()));
        Assert.Equal([("field_created", ids[0].ToString()), ("field_created", ids[1].ToString()), ("field_deleted", ids[0].ToString())],
            (await EventsAsync(app)).Select(e => (e.Event, e.Match)));
    }
}
