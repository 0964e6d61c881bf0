using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V3.SubscribersTestData;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class CustomFieldsApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    static string Unprocessable(string message) => $$"""{"error":"Unprocessable Entity","message":"{{message}}"}""";

    static Task<HttpResponseMessage> Send(MailroomApp app, HttpMethod method, string url, object body) => app.Http.SendJsonAsync(method, url, body);

    static Task<List<CustomField>> FieldsAsync(MailroomApp app, long accountId) =>
        app.DbAsync(db => db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId).OrderBy(f => f.Id).ToListAsync());

    static string CreatedJson(CustomField f) =>
        $$"""{"id":{{f.Id}},"name":"ck_field_{{f.Id}}_{{f.Key}}","key":"{{f.Key}}","label":"{{f.Label}}","account_id":{{f.AccountId}},"created_at":"2024-05-01T10:00:00.000Z","updated_at":"2024-05-01T10:00:00.000Z","kind":null,"value":null}""";

    static string FieldJson(CustomField f) => $$"""{"id":{{f.Id}},"name":"{{f.Name}}","key":"{{f.Key}}","label":"{{f.Label}}"}""";

    [Theory, Providers]
    public async Task ListCustomFields_WithKey_ReturnsTheAccountsFieldsInCreationOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await (await app.Http.GetAsync($"/v3/custom_fields?api_key={account.ApiKey}")).AssertJsonAsync(200, """{"custom_fields":[]}""");
        var phone = await app.AddCustomFieldAsync(account.Id, "Phone Number");
        await app.AddCustomFieldAsync(other.Id, "Theirs");
        var city = await app.AddCustomFieldAsync(account.Id, "City");

        var response = await app.Http.GetAsync($"/v3/custom_fields?api_key={account.ApiKey}");

        await response.AssertJsonAsync(200, $$"""
            {"custom_fields":[{"id":{{phone.Id}},"name":"ck_field_{{phone.Id}}_phone_number","key":"phone_number","label":"Phone Number"},
                              {"id":{{city.Id}},"name":"ck_field_{{city.Id}}_city","key":"city","label":"City"}]}
            """);
    }

    [Theory, Providers]
    public async Task GetCustomField_KnownId_ReturnsBareObject_OtherAccountsId404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var mine = await app.AddCustomFieldAsync(account.Id, "Last Name");
        var theirs = await app.AddCustomFieldAsync(other.Id, "Last Name");

        await (await app.Http.GetAsync($"/v3/custom_fields/{mine.Id}?api_key={account.ApiKey}")).AssertJsonAsync(200, FieldJson(mine));
        await (await app.Http.GetAsync($"/v3/custom_fields/{theirs.Id}?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/custom_fields/{theirs.Id + 1000}?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task CreateCustomField_StringLabel_Returns201WithObjectAndLocation(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "  Phone Number " });

        var field = Assert.Single(await FieldsAsync(app, account.Id));
        await response.AssertJsonAsync(201, CreatedJson(field));
        Assert.Equal("/v3/custom_fields", response.Headers.Location?.OriginalString);
        Assert.Equal(("Phone Number", "phone_number", $"ck_field_{field.Id}_phone_number"), (field.Label, field.Key, field.Name));
    }

    [Theory, Providers]
    public async Task CreateCustomField_OneElementArray_ReturnsSingleObject(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        // Kit's quirk, relied on by the PHP SDK's create_custom_field(): label: ["..."] answers an object.
        var response = await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new[] { "Café Owner" } });

        var field = Assert.Single(await FieldsAsync(app, account.Id));
        await response.AssertJsonAsync(201, CreatedJson(field));
        Assert.Equal("cafe_owner", field.Key);
    }

    [Theory, Providers]
    public async Task CreateCustomFields_Array_ReturnsArrayInInputOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await Send(app, HttpMethod.Post, "/v3/custom_fields",
            new { api_secret = account.ApiSecret, label = new[] { "Zip Code", "Café Owner", "Über-Größe 2" } });

        var fields = await FieldsAsync(app, account.Id);
        Assert.Equal(["zip_code", "cafe_owner", "uber_groe_2"], fields.Select(f => f.Key));
        await response.AssertJsonAsync(201, "[" + string.Join(",", fields.Select(CreatedJson)) + "]");
    }

    [Theory, Providers]
    public async Task CreateCustomFields_LegacyLabelsParamOrRailsBrackets_AreAccepted(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var legacy = await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, labels = new[] { "A", "B" } });
        var rails = await app.Http.PostAsync($"/v3/custom_fields?api_secret={account.ApiSecret}&label[]=C,%20with%20comma&label[]=D", null);

        var fields = await FieldsAsync(app, account.Id);
        Assert.Equal(["A", "B", "C, with comma", "D"], fields.Select(f => f.Label));
        await legacy.AssertJsonAsync(201, $"[{CreatedJson(fields[0])},{CreatedJson(fields[1])}]");
        await rails.AssertJsonAsync(201, $"[{CreatedJson(fields[2])},{CreatedJson(fields[3])}]");
    }

    [Theory, Providers]
    public async Task CreateCustomField_BlankLabel_Returns422AndCreatesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var blank = Unprocessable("Label can't be blank");

        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret })).AssertJsonAsync(422, blank);
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "   " })).AssertJsonAsync(422, blank);
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = Array.Empty<string>() })).AssertJsonAsync(422, blank);
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new[] { "Good", "" } })).AssertJsonAsync(422, blank);
        Assert.Empty(await FieldsAsync(app, account.Id));
    }

    [Theory, Providers]
    public async Task CreateCustomField_DuplicateLabelOrKey_Returns422AndCreatesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await app.AddCustomFieldAsync(account.Id, "Phone Number");
        await app.AddCustomFieldAsync(other.Id, "City");
        Task<HttpResponseMessage> Create(object label) => Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label });

        await (await Create("PHONE number")).AssertJsonAsync(422, Unprocessable("Label has already been taken"));
        await (await Create("Phone-Number")).AssertJsonAsync(422, Unprocessable("Key has already been taken"));
        await (await Create(new[] { "Zip", "zip" })).AssertJsonAsync(422, Unprocessable("Label has already been taken"));
        await (await Create(new[] { "A b", "a-b" })).AssertJsonAsync(422, Unprocessable("Key has already been taken"));
        await (await Create(new[] { "", "Phone Number", "!!!", "日本", "Fine" }))
            .AssertJsonAsync(422, Unprocessable("Label can't be blank, Label has already been taken, Key can't be blank"));
        Assert.Equal(["Phone Number"], (await FieldsAsync(app, account.Id)).Select(f => f.Label));
        // Another account's labels are no obstacle.
        await (await Create("City")).AssertStatusAsync(201);
    }

    [Theory, Providers]
    public async Task CreateCustomField_LabelWithoutUsableCharacters_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "!!!" }))
            .AssertJsonAsync(422, Unprocessable("Key can't be blank"));
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "日本" }))
            .AssertJsonAsync(422, Unprocessable("Key can't be blank"));
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new string('x', 256) }))
            .AssertJsonAsync(422, Unprocessable("Label is too long (maximum is 255 characters)"));
        Assert.Empty(await FieldsAsync(app, account.Id));
    }

    [Theory, Providers]
    public async Task CreateCustomField_BadParameterOrKeyOnly_ReturnsError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new { name = "X" } }))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"label must be a string or an array of strings"}""");
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new object[] { new[] { "X" } } }))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"label must be a string"}""");
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_key = account.ApiKey, label = "X" }))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        Assert.Empty(await FieldsAsync(app, account.Id));
    }

    [Theory, Providers]
    public async Task CreateCustomFields_PastTheAccountLimit_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddCustomFieldsAsync(account.Id, 139);
        const string tooMany = """{"error":"Bad Request","message":"You can only have 140 custom fields"}""";

        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = new[] { "One", "Two" } }))
            .AssertJsonAsync(400, tooMany);
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "One" })).AssertStatusAsync(201);
        await (await Send(app, HttpMethod.Post, "/v3/custom_fields", new { api_secret = account.ApiSecret, label = "Two" }))
            .AssertJsonAsync(400, tooMany);
        Assert.Equal(140, (await FieldsAsync(app, account.Id)).Count);
    }

    [Theory, Providers]
    public async Task UpdateCustomField_NewLabel_RegeneratesKeyKeepsNameAndMovesValues(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var field = await app.AddCustomFieldAsync(account.Id, "Last Name");
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        await app.SetFieldAsync(subscriber.Id, field.Id, "Lovelace");
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var response = await Send(app, HttpMethod.Put, $"/v3/custom_fields/{field.Id}", new { api_secret = account.ApiSecret, label = "Família" });

        Assert.Empty((await response.AssertStatusAsync(204)).AsObject());
        Assert.Equal(0, response.Content.Headers.ContentLength ?? 0);
        await (await app.Http.GetAsync($"/v3/custom_fields?api_key={account.ApiKey}")).AssertJsonAsync(200, $$"""
            {"custom_fields":[{"id":{{field.Id}},"name":"ck_field_{{field.Id}}_last_name","key":"familia","label":"Família"}]}
            """);
        await (await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}?api_secret={account.ApiSecret}"))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber, """{"familia":"Lovelace"}""")}}}""");
        Assert.Equal(At(60), (await FieldsAsync(app, account.Id)).Single().UpdatedAt);
    }

    [Theory, Providers]
    public async Task UpdateCustomField_BadLabels_Return422_OwnLabelInOtherCaseIsFine(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var field = await app.AddCustomFieldAsync(account.Id, "Last Name");
        await app.AddCustomFieldAsync(account.Id, "Phone Number");
        Task<HttpResponseMessage> Update(string? label) => Send(app, HttpMethod.Put, $"/v3/custom_fields/{field.Id}", new { api_secret = account.ApiSecret, label });

        await (await Update(null)).AssertJsonAsync(422, Unprocessable("Label can't be blank"));
        await (await Update(" ")).AssertJsonAsync(422, Unprocessable("Label can't be blank"));
        await (await Update("phone number")).AssertJsonAsync(422, Unprocessable("Label has already been taken"));
        await (await Update("Phone_Number")).AssertJsonAsync(422, Unprocessable("Key has already been taken"));
        await (await Update("???")).AssertJsonAsync(422, Unprocessable("Key can't be blank"));
        Assert.Equal(("Last Name", "last_name"), (await FieldsAsync(app, account.Id)).Select(f => (f.Label, f.Key)).First());

        await (await Update("LAST NAME")).AssertStatusAsync(204);
        Assert.Equal(("LAST NAME", "last_name"), (await FieldsAsync(app, account.Id)).Select(f => (f.Label, f.Key)).First());
    }

    [Theory, Providers]
    public async Task UpdateCustomField_UnknownOrOtherAccountsId_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddCustomFieldAsync(other.Id, "Theirs");

        await (await Send(app, HttpMethod.Put, $"/v3/custom_fields/{theirs.Id}", new { api_secret = account.ApiSecret, label = "Mine" }))
            .AssertJsonAsync(404, NotFound);
        await (await Send(app, HttpMethod.Put, $"/v3/custom_fields/{theirs.Id + 1000}", new { api_secret = account.ApiSecret, label = "Mine" }))
            .AssertJsonAsync(404, NotFound);
        Assert.Equal("Theirs", (await FieldsAsync(app, other.Id)).Single().Label);
    }

    [Theory, Providers]
    public async Task DeleteCustomField_Known_Returns204AndRemovesFieldAndValues(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var field = await app.AddCustomFieldAsync(account.Id, "Last Name");
        var kept = await app.AddCustomFieldAsync(account.Id, "City");
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        await app.SetFieldAsync(subscriber.Id, field.Id, "Lovelace");
        await app.SetFieldAsync(subscriber.Id, kept.Id, "London");

        var response = await Send(app, HttpMethod.Delete, $"/v3/custom_fields/{field.Id}", new { api_secret = account.ApiSecret });

        await response.AssertStatusAsync(204);
        await (await app.Http.GetAsync($"/v3/custom_fields?api_key={account.ApiKey}")).AssertJsonAsync(200, $$"""{"custom_fields":[{{FieldJson(kept)}}]}""");
        await (await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}?api_secret={account.ApiSecret}"))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber, """{"city":"London"}""")}}}""");
        Assert.Equal([kept.Id], await app.DbAsync(db => db.SubscriberFieldValues.Select(v => v.CustomFieldId).ToListAsync()));
        await (await Send(app, HttpMethod.Delete, $"/v3/custom_fields/{field.Id}", new { api_secret = account.ApiSecret })).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task DeleteCustomField_OtherAccountsIdOrKeyOnly_IsRefused(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddCustomFieldAsync(other.Id, "Theirs");
        var mine = await app.AddCustomFieldAsync(account.Id, "Mine");

        await (await app.Http.DeleteAsync($"/v3/custom_fields/{theirs.Id}?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.DeleteAsync($"/v3/custom_fields/{mine.Id}?api_key={account.ApiKey}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        Assert.Single(await FieldsAsync(app, other.Id));
        Assert.Single(await FieldsAsync(app, account.Id));
    }
}
