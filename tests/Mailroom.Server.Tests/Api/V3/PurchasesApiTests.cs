using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class PurchasesApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    // Kit's documented example request (spec §3.9).
    static JsonObject KitExample(string transactionId = "123-abcd-456-efgh") => JsonNode.Parse($$"""
        {"transaction_id":"{{transactionId}}","email_address":"john@example.com","first_name":"John","currency":"jpy",
         "transaction_time":"2018-03-17 11:28:04","subtotal":20.00,"tax":2.00,"shipping":2.00,"discount":3.00,"total":21.00,
         "status":"paid","integration":"Shopify",
         "products":[{"pid":9999,"lid":7777,"name":"Floppy Disk (512k)","sku":"7890-ijkl","unit_price":5.00,"quantity":2},
                     {"pid":5555,"lid":7778,"name":"Telephone Cord (data)","sku":"mnop-1234","unit_price":10.00,"quantity":1}]}
        """)!.AsObject();

    const string KitExampleResponse = """
        {"id":1,"transaction_id":"123-abcd-456-efgh","status":"paid","email_address":"john@example.com","currency":"JPY",
         "transaction_time":"2018-03-17T11:28:04.000Z","subtotal":20.0,"shipping":2.0,"discount":3.0,"tax":2.0,"total":21.0,
         "products":[{"pid":9999,"lid":7777,"sku":"7890-ijkl","name":"Floppy Disk (512k)","unit_price":5.0,"quantity":2},
                     {"pid":5555,"lid":7778,"sku":"mnop-1234","name":"Telephone Cord (data)","unit_price":10.0,"quantity":1}]}
        """;

    static Task<HttpResponseMessage> PostAsync(MailroomApp app, TestAccount account, JsonNode? purchase, string? integrationKey = null)
    {
        var body = new JsonObject { ["api_secret"] = account.ApiSecret };
        if (purchase is not null) body["purchase"] = purchase;
        if (integrationKey is not null) body["integration_key"] = integrationKey;
        return app.Http.PostAsync("/v3/purchases", HttpAssert.Json(body.ToJsonString()));
    }

    static async Task AssertInvalidAsync(HttpResponseMessage response, string message) =>
        await response.AssertJsonAsync(400, new JsonObject { ["error"] = "Your request is missing parameters", ["message"] = message }.ToJsonString());

    [Theory, Providers]
    public async Task CreatePurchase_KitExample_Returns201BareObjectWithKitFloats(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await PostAsync(app, account, KitExample(), integrationKey: "partner-key");

        await response.AssertJsonAsync(201, KitExampleResponse);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"subtotal\":20.0,", text);
        Assert.Contains("\"unit_price\":5.0,", text);
        Assert.DoesNotContain("integration", text);
        await (await app.Http.GetAsync($"/v3/purchases/1?api_secret={account.ApiSecret}")).AssertJsonAsync(200, KitExampleResponse);
    }

    [Theory, Providers]
    public async Task CreatePurchase_UnknownBuyer_CreatesActiveSubscriberWithFirstName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await PostAsync(app, account, KitExample())).AssertStatusAsync(201);

        var subscriber = await app.DbAsync(db => db.Subscribers.SingleAsync());
        Assert.Equal(("john@example.com", "John", "active", account.Id), (subscriber.EmailAddress, subscriber.FirstName, subscriber.State, subscriber.AccountId));
        var purchase = await app.DbAsync(db => db.Purchases.SingleAsync());
        Assert.Equal((subscriber.Id, "Shopify"), (purchase.SubscriberId, purchase.Integration));
    }

    [Theory, Providers]
    public async Task CreatePurchase_KnownBuyerAnyCase_ReusesSubscriberAndKeepsState(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var t = MailroomApp.Start.UtcDateTime;
        await app.DbAsync(db =>
        {
            db.Subscribers.Add(new Subscriber { AccountId = account.Id, EmailAddress = "John@Example.com", NormalizedEmail = "john@example.com", State = "cancelled", CreatedAt = t, UpdatedAt = t });
            return db.SaveChangesAsync();
        });
        var purchase = KitExample();
        purchase["email_address"] = "JOHN@example.COM";

        await (await PostAsync(app, account, purchase)).AssertStatusAsync(201);

        var subscriber = await app.DbAsync(db => db.Subscribers.SingleAsync());
        Assert.Equal(("cancelled", "John"), (subscriber.State, subscriber.FirstName));
        Assert.Equal(subscriber.Id, await app.DbAsync(db => db.Purchases.Select(p => p.SubscriberId).SingleAsync()));
    }

    [Theory, Providers]
    public async Task CreatePurchase_New_WritesPurchaseCreateAndOneProductPurchasePerPid(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var purchase = KitExample();
        // A second variant of the Floppy Disk: same pid, its own line.
        purchase["products"]!.AsArray().Add(JsonNode.Parse("""{"pid":9999,"lid":7779,"name":"Floppy Disk (1.44M)","unit_price":6,"quantity":1}"""));

        await (await PostAsync(app, account, purchase)).AssertStatusAsync(201);

        var events = await app.DbAsync(db => db.OutboxEvents.OrderBy(e => e.Id)
            .Select(e => new { e.EventName, e.MatchValue, e.SubscriberId, e.PurchaseId, e.AccountId, e.OccurredAt }).ToListAsync());
        var (subscriberId, purchaseId) = await app.DbAsync(async db => (await db.Subscribers.Select(s => s.Id).SingleAsync(), await db.Purchases.Select(p => p.Id).SingleAsync()));
        Assert.Equal(
            [$"purchase_create||{subscriberId}|{purchaseId}", $"product_purchase|9999|{subscriberId}|{purchaseId}", $"product_purchase|5555|{subscriberId}|{purchaseId}"],
            events.Select(e => $"{e.EventName}|{e.MatchValue}|{e.SubscriberId}|{e.PurchaseId}"));
        Assert.All(events, e => Assert.Equal((account.Id, MailroomApp.Start.UtcDateTime), (e.AccountId, e.OccurredAt)));
    }

    [Theory, Providers]
    public async Task CreatePurchase_SameTransactionAgain_ReplacesPurchaseAndProducts(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await (await PostAsync(app, account, KitExample())).AssertStatusAsync(201);
        app.Clock.Advance(TimeSpan.FromDays(1));
        var again = JsonNode.Parse("""
            {"transaction_id":"123-abcd-456-efgh","email_address":"john@example.com","currency":"usd","total":7.5,
             "products":[{"pid":5555,"lid":1,"name":"Telephone Cord (data)","unit_price":7.5,"quantity":1},
                         {"pid":4444,"lid":2,"name":"Modem","unit_price":0,"quantity":3}]}
            """);

        var response = await PostAsync(app, account, again);

        await response.AssertJsonAsync(201, """
            {"id":1,"transaction_id":"123-abcd-456-efgh","status":"paid","email_address":"john@example.com","currency":"USD",
             "transaction_time":"2024-05-02T10:00:00.000Z","subtotal":null,"shipping":null,"discount":null,"tax":null,"total":7.5,
             "products":[{"pid":5555,"lid":1,"sku":null,"name":"Telephone Cord (data)","unit_price":7.5,"quantity":1},
                         {"pid":4444,"lid":2,"sku":null,"name":"Modem","unit_price":0.0,"quantity":3}]}
            """);
        Assert.Equal(1, await app.DbAsync(db => db.Purchases.CountAsync()));
        Assert.Equal(2, await app.DbAsync(db => db.PurchaseProducts.CountAsync()));
        // No second purchase_create; product_purchase only for the product this transaction didn't have.
        var events = await app.DbAsync(db => db.OutboxEvents.OrderBy(e => e.Id).Select(e => e.EventName + ":" + e.MatchValue).ToListAsync());
        Assert.Equal(["purchase_create:", "product_purchase:9999", "product_purchase:5555", "product_purchase:4444"], events);
    }

    [Theory, Providers]
    public async Task CreatePurchase_SameNewTransactionInParallel_RecordsItOnceAndAnswers201ToAll(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(app, account, KitExample("race"))));

        Assert.All(responses, r => Assert.Equal(201, (int)r.StatusCode));
        Assert.Equal((1, 1, 2), await app.DbAsync(async db =>
            (await db.Purchases.CountAsync(), await db.Subscribers.CountAsync(), await db.PurchaseProducts.CountAsync())));
        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == "purchase_create")));
    }

    [Theory, Providers]
    public async Task CreatePurchase_NoTransactionTime_UsesNow(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var purchase = KitExample();
        purchase.Remove("transaction_time");
        var offset = KitExample("t-2");
        offset["transaction_time"] = "2024-04-30T23:30:00-02:00";

        var now = await (await PostAsync(app, account, purchase)).AssertStatusAsync(201);
        var converted = await (await PostAsync(app, account, offset)).AssertStatusAsync(201);

        Assert.Equal("2024-05-01T10:00:00.000Z", now["transaction_time"]!.GetValue<string>());
        Assert.Equal("2024-05-01T01:30:00.000Z", converted["transaction_time"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task CreatePurchase_MissingPurchaseObject_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await AssertInvalidAsync(await PostAsync(app, account, null), "purchase can't be blank");
    }

    [Theory, Providers]
    public async Task CreatePurchase_EmptyPurchase_Returns400ListingEveryRequiredField(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await PostAsync(app, account, new JsonObject { ["status"] = "paid" });

        await AssertInvalidAsync(response, "transaction_id can't be blank, email_address can't be blank, currency can't be blank, products can't be blank");
        Assert.Equal(0, await app.DbAsync(db => db.Subscribers.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreatePurchase_PurchaseAndProductProblems_Returns400WithKitMessagesCombined(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var purchase = JsonNode.Parse("""
            {"email_address":"john@example.com","currency":"usd",
             "products":[{"pid":9999,"lid":7777,"name":"Floppy Disk (512k)","quantity":2},
                         {"pid":5555,"lid":7778,"name":"Telephone Cord (data)","unit_price":10,"quantity":1},
                         {"sku":"no-name"},
                         {"pid":1,"lid":7777,"name":"Cable","unit_price":1,"quantity":0}]}
            """);

        var response = await PostAsync(app, account, purchase);

        await AssertInvalidAsync(response, "transaction_id can't be blank, " +
            "Unit price can't be blank for product: Floppy Disk (512k), " +
            "Pid can't be blank for product: #3, Lid can't be blank for product: #3, Name can't be blank for product: #3, " +
            "Unit price can't be blank for product: #3, Quantity can't be blank for product: #3, " +
            "Lid has already been taken for product: Cable, Quantity must be greater than 0 for product: Cable");
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.OutboxEvents.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreatePurchase_InvalidValues_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var purchase = KitExample();
        purchase["email_address"] = "john at example";
        purchase["currency"] = "dollars";
        purchase["transaction_time"] = "yesterday";
        purchase["total"] = 1e20;
        purchase["transaction_id"] = new string('x', 256);
        purchase["first_name"] = new string('J', 256);

        var response = await PostAsync(app, account, purchase);

        await AssertInvalidAsync(response, "transaction_id is too long (maximum is 255 characters), email_address is invalid, " +
            "first_name is too long (maximum is 255 characters), currency is invalid, transaction_time is invalid, total is out of range");
    }

    [Theory, Providers]
    public async Task CreatePurchase_WrongTypes_Returns400BadRequest(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var badPrice = KitExample();
        badPrice["products"]![0]!["unit_price"] = "five";
        var badProducts = KitExample();
        badProducts["products"] = "Floppy Disk";
        var fractional = KitExample();
        fractional["products"]![1]!["quantity"] = 1.5;

        await (await PostAsync(app, account, badPrice)).AssertJsonAsync(400, """{"error":"Bad Request","message":"unit_price must be a number"}""");
        await (await PostAsync(app, account, badProducts)).AssertJsonAsync(400, """{"error":"Bad Request","message":"products must be a list of objects"}""");
        await (await PostAsync(app, account, fractional)).AssertJsonAsync(400, """{"error":"Bad Request","message":"quantity must be an integer"}""");
        await (await PostAsync(app, account, JsonValue.Create("a string"))).AssertJsonAsync(400, """{"error":"Bad Request","message":"purchase must be an object"}""");
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreatePurchase_RailsStyleFormBody_IsAccepted(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/purchases", HttpAssert.Form(
            ("api_secret", account.ApiSecret), ("purchase[transaction_id]", "form-1"), ("purchase[email_address]", "ann@example.com"),
            ("purchase[currency]", "eur"), ("purchase[transaction_time]", "2024-04-01 12:00:00"),
            ("purchase[products][][pid]", "1"), ("purchase[products][][lid]", "10"), ("purchase[products][][name]", "Book"),
            ("purchase[products][][unit_price]", "12.50"), ("purchase[products][][quantity]", "2"),
            ("purchase[products][][pid]", "2"), ("purchase[products][][lid]", "11"), ("purchase[products][][name]", "Pen"),
            ("purchase[products][][unit_price]", "1.99"), ("purchase[products][][quantity]", "1")));

        await response.AssertJsonAsync(201, """
            {"id":1,"transaction_id":"form-1","status":"paid","email_address":"ann@example.com","currency":"EUR",
             "transaction_time":"2024-04-01T12:00:00.000Z","subtotal":null,"shipping":null,"discount":null,"tax":null,"total":null,
             "products":[{"pid":1,"lid":10,"sku":null,"name":"Book","unit_price":12.5,"quantity":2},
                         {"pid":2,"lid":11,"sku":null,"name":"Pen","unit_price":1.99,"quantity":1}]}
            """);
    }

    [Theory, Providers]
    public async Task ListPurchases_TwoPurchases_ReturnsPagedEnvelope(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await (await PostAsync(app, account, KitExample())).AssertStatusAsync(201);
        await (await PostAsync(app, other, KitExample("theirs"))).AssertStatusAsync(201);
        var second = JsonNode.Parse("""
            {"transaction_id":"t-2","email_address":"amy@example.com","currency":"GBP","transaction_time":"2024-01-02T03:04:05Z",
             "products":[{"pid":1,"lid":1,"name":"Mug","sku":"M-1","unit_price":"8.25","quantity":"1"}]}
            """);
        await (await PostAsync(app, account, second)).AssertStatusAsync(201);

        var response = await app.Http.GetAsync($"/v3/purchases?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, $$"""
            {"total_purchases":2,"page":1,"total_pages":1,"purchases":[{{KitExampleResponse}},
             {"id":3,"transaction_id":"t-2","status":"paid","email_address":"amy@example.com","currency":"GBP",
              "transaction_time":"2024-01-02T03:04:05.000Z","subtotal":null,"shipping":null,"discount":null,"tax":null,"total":null,
              "products":[{"pid":1,"lid":1,"sku":"M-1","name":"Mug","unit_price":8.25,"quantity":1}]}]}
            """);
    }

    [Theory, Providers]
    public async Task ListPurchases_51Purchases_Pages50AtATime(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.DbAsync(async db =>
        {
            var t = MailroomApp.Start.UtcDateTime;
            var subscriber = new Subscriber { AccountId = account.Id, EmailAddress = "a@example.com", NormalizedEmail = "a@example.com", CreatedAt = t, UpdatedAt = t };
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
            for (var i = 1; i <= 51; i++)
                db.Purchases.Add(new Purchase
                {
                    AccountId = account.Id, SubscriberId = subscriber.Id, TransactionId = $"t{i}", EmailAddress = "a@example.com", Status = "paid",
                    TransactionTime = t, CreatedAt = t, UpdatedAt = t,
                    Products = [new PurchaseProduct { Pid = i, Lid = i, Name = "P", UnitPrice = 1, Quantity = 1 }],
                });
            await db.SaveChangesAsync();
        });

        var first = await (await app.Http.GetAsync($"/v3/purchases?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        var second = await app.Http.GetAsync($"/v3/purchases?api_secret={account.ApiSecret}&page=2");
        var beyond = await app.Http.GetAsync($"/v3/purchases?api_secret={account.ApiSecret}&page=9");

        Assert.Equal((51, 1, 2, 50), (first["total_purchases"]!.GetValue<int>(), first["page"]!.GetValue<int>(), first["total_pages"]!.GetValue<int>(), first["purchases"]!.AsArray().Count));
        await second.AssertJsonAsync(200, """
            {"total_purchases":51,"page":2,"total_pages":2,"purchases":[{"id":51,"transaction_id":"t51","status":"paid",
             "email_address":"a@example.com","currency":"USD","transaction_time":"2024-05-01T10:00:00.000Z","subtotal":null,
             "shipping":null,"discount":null,"tax":null,"total":null,
             "products":[{"pid":51,"lid":51,"sku":null,"name":"P","unit_price":1.0,"quantity":1}]}]}
            """);
        await beyond.AssertJsonAsync(200, """{"total_purchases":51,"page":9,"total_pages":2,"purchases":[]}""");
    }

    [Theory, Providers]
    public async Task GetPurchase_UnknownOrOtherAccounts_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await (await PostAsync(app, other, KitExample())).AssertStatusAsync(201);

        await (await app.Http.GetAsync($"/v3/purchases/1?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/purchases/77?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task Purchases_WithKeyOnly_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        const string denied = """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""";

        await (await app.Http.GetAsync($"/v3/purchases?api_key={account.ApiKey}")).AssertJsonAsync(401, denied);
        await (await app.Http.PostAsync("/v3/purchases", HttpAssert.Json(new { api_key = account.ApiKey, purchase = KitExample() }))).AssertJsonAsync(401, denied);
    }
}
