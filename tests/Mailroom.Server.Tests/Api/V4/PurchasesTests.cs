using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>GET/POST /v4/purchases and GET /v4/purchases/{id}: OAuth only, v3's purchase service.</summary>
public sealed class PurchasesTests
{
    static void AssertNode(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nActual   {actual?.ToJsonString()}");

    static object Purchase(string transactionId = "796-92-4892", string email = "pru.magoo@convertkit.dev") => new
    {
        purchase = new
        {
            email_address = email, transaction_id = transactionId, status = "paid", subtotal = 78.66, tax = 7.87, shipping = 0, discount = 5.0,
            total = 81.53, currency = "USD", transaction_time = "2023-02-17T11:43:55Z",
            products = new object[]
            {
                new { name = "Phantom <b>Hourglass</b>", pid = "8040244", lid = "8117579", quantity = 1, unit_price = 23.22, sku = "SM21-SH-M02-RD-S-001" },
                new { name = "Twilight Princess", pid = 8335111, lid = 7664912, quantity = 2, unit_price = 32.22, sku = (string?)null },
            },
        },
    };

    [Theory, Providers]
    public async Task Purchases_ApiKey_Is401_TheyAreOAuthOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/purchases", 401, null, "The access token is invalid");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/purchases", 401, Purchase(), "The access token is invalid");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/purchases/1", 401, null, "The access token is invalid");
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreatePurchase_KitsExample_Is201_AndRaisesItsEvents(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);

        var created = await client.PostAsync("/v4/purchases", Purchase(), 201);

        var subscriberId = await app.DbAsync(db => db.Subscribers.Select(s => s.Id).SingleAsync());
        AssertNode($$$"""
            {"purchase":{"id":1,"transaction_id":"796-92-4892","subscriber_id":{{{subscriberId}}},"status":"paid","email_address":"pru.magoo@convertkit.dev",
              "currency":"USD","transaction_time":"2023-02-17T11:43:55Z","subtotal":78.66,"discount":5.0,"tax":7.87,"total":81.53,
              "products":[{"quantity":1,"lid":"8117579","unit_price":23.22,"sku":"SM21-SH-M02-RD-S-001","name":"Phantom <b>Hourglass</b>","pid":"8040244"},
                          {"quantity":2,"lid":"7664912","unit_price":32.22,"sku":null,"name":"Twilight Princess","pid":"8335111"}]}}
            """, created);
        Assert.Equal(["subscriber_activate", "purchase_create", "product_purchase", "product_purchase"], (await app.OutboxAsync()).Select(e => e.Event));
        // The same transaction again replaces it (v3's upsert), still 201.
        await client.PostAsync("/v4/purchases", Purchase(), 201);
        Assert.Equal(1, await app.DbAsync(db => db.Purchases.CountAsync()));
    }

    [Theory, Providers]
    public async Task ListAndGetPurchases_PagedNewestFirst_OtherAccounts404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Globex", "owner@globex.test");
        var client = await V4OAuth.ClientAsync(app, account.Id);
        var theirs = await V4OAuth.ClientAsync(app, other.Id);
        await client.PostAsync("/v4/purchases", Purchase("t1"), 201);
        await client.PostAsync("/v4/purchases", Purchase("t2"), 201);
        var foreign = (await theirs.PostAsync("/v4/purchases", Purchase("t3"), 201))["purchase"]!["id"]!.GetValue<long>();

        var page = await client.GetAsync("/v4/purchases?per_page=1");
        Assert.Equal(["t2"], page["purchases"]!.AsArray().Select(p => p!["transaction_id"]!.GetValue<string>()));
        Assert.True(page["pagination"]!["has_next_page"]!.GetValue<bool>());
        var next = await client.GetAsync($"/v4/purchases?per_page=1&after={page["pagination"]!["end_cursor"]}");
        Assert.Equal(["t1"], next["purchases"]!.AsArray().Select(p => p!["transaction_id"]!.GetValue<string>()));

        Assert.Equal("t1", (await client.GetAsync("/v4/purchases/1"))["purchase"]!["transaction_id"]!.GetValue<string>());
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/purchases/{foreign}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/purchases/999", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/purchases/abc", 404, null, "Not Found");
    }

    [Theory, Providers]
    public async Task CreatePurchase_BadInput_Is422_AndRecordsNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);

        await client.AssertErrorAsync(HttpMethod.Post, "/v4/purchases", 422, new { }, "Transaction cannot be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/purchases", 422, new { purchase = new { email_address = "a@example.com" } }, "Transaction cannot be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/purchases", 422, new { purchase = "t1" }, "Transaction cannot be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/purchases", 422,
            new { purchase = new { transaction_id = "t1", email_address = "not-an-email", currency = "USD", products = new[] { new { name = "A", pid = 1, lid = 1, quantity = 1, unit_price = 1 } } } },
            "email_address is invalid");
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
    }
}
