using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.Input;

/// <summary>
/// No list parameter carries more than 1,000 items (issue 16 item 7): 32,767 tag ids or names once went into one SQL
/// statement, past SQLite's 32,766 variables, and answered 500. At the limit a call works on both providers.
/// </summary>
public sealed class ListSizeLimitTests
{
    static string TooMany(string name) => $$"""{"error":"Unprocessable Entity","message":"{{name}} has too many items (maximum is 1000)"}""";

    [Theory, Providers]
    public async Task Subscribe_MoreIdsThanTheLimit_Returns422AndWritesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id, "Primary");
        var form = await app.AddFormAsync(account.Id);

        // The issue's call: 32,767 ids.
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = account.ApiKey, email = "jon@example.com", tags = Enumerable.Range(1, 32_767).ToArray(),
        }))).AssertJsonAsync(422, TooMany("tags"));
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = account.ApiKey, email = "jon@example.com", forms = Enumerable.Range(1, 1001).ToArray(),
        }))).AssertJsonAsync(422, TooMany("forms"));
        // One more than the limit, as a comma-separated string and as Rails' courses[] in a form body.
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe?api_key={account.ApiKey}&email=jon@example.com" +
            $"&tags={string.Join(",", Enumerable.Range(1, 1001))}", null)).AssertJsonAsync(422, TooMany("tags"));
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Form([("api_key", account.ApiKey),
            ("email", "jon@example.com"), .. Enumerable.Range(1, 1001).Select(i => ("courses[]", i.ToString()))])))
            .AssertJsonAsync(422, TooMany("courses"));
        // fields is an object, but every key is one more IN-list item when values are stored.
        var fields = new JsonObject();
        for (var i = 0; i < 1001; i++) fields[$"f{i}"] = "x";
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(
            new JsonObject { ["api_key"] = account.ApiKey, ["email"] = "jon@example.com", ["fields"] = fields }.ToJsonString())))
            .AssertJsonAsync(422, TooMany("fields"));

        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task CreateTags_MoreNamesThanTheLimit_Returns422_AtTheLimitCreatesAll_AndSubscribeTakesThemAll(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new
        {
            api_key = account.ApiKey, tag = Enumerable.Range(1, 32_767).Select(i => new { name = $"t{i}" }).ToArray(),
        }))).AssertJsonAsync(422, TooMany("tag"));
        Assert.Equal(0, await app.DbAsync(db => db.Tags.CountAsync()));

        // Exactly the limit: one IN list of 1,000 names to check they are free, then 1,000 ids to subscribe to.
        var created = await (await app.Http.PostAsync("/v3/tags", HttpAssert.Json(new
        {
            api_key = account.ApiKey, tag = Enumerable.Range(1, 1000).Select(i => new { name = $"t{i}" }).ToArray(),
        }))).AssertStatusAsync(201);
        var ids = created.AsArray().Select(t => t!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(1000, ids.Count);

        var primary = await app.AddTagAsync(account.Id, "Primary");
        await (await app.Http.PostAsync($"/v3/tags/{primary.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = account.ApiKey, email = "jon@example.com", tags = ids,
        }))).AssertStatusAsync(200);
        Assert.Equal(1001, (await app.SubscriptionsAsync()).Count(s => s.SubscribableType == "tag"));
    }

    [Theory, Providers]
    public async Task Purchase_MoreProductsThanTheLimit_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.PostAsync("/v3/purchases", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret,
            purchase = new
            {
                transaction_id = "T1", email_address = "jon@example.com", currency = "USD",
                products = Enumerable.Range(1, 1001).Select(i => new { pid = i, lid = i, name = $"P{i}", unit_price = 1, quantity = 1 }).ToArray(),
            },
        }))).AssertJsonAsync(422, TooMany("products"));
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
    }
}
