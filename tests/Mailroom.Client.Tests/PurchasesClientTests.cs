using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class PurchasesClientTests
{
    static PurchaseRequest Floppy(string transactionId) =>
        new(transactionId, "ada@example.com", "jpy", [new PurchaseProductRequest("Floppy Disk (512k)", 7, 1, 5.00m, 2) { Sku = "7890-ijkl" }])
        {
            FirstName = "Ada", TransactionTime = new DateTimeOffset(2024, 4, 30, 9, 30, 0, TimeSpan.Zero), Subtotal = 10m, Tax = 1.5m,
            Shipping = 2m, Discount = 0.5m, Total = 13m, Status = "paid",
        };

    [Theory, Providers]
    public async Task CreatePurchase_Valid_ReturnsItUpperCasingTheCurrency(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);

        var purchase = await kit.CreatePurchaseAsync(Floppy("T-1"));

        Assert.Equal(("T-1", "paid", "ada@example.com", "JPY", new DateTimeOffset(2024, 4, 30, 9, 30, 0, TimeSpan.Zero)),
            (purchase.TransactionId, purchase.Status, purchase.EmailAddress, purchase.Currency, purchase.TransactionTime));
        Assert.Equal((10m, 2m, 0.5m, 1.5m, 13m), (purchase.Subtotal, purchase.Shipping, purchase.Discount, purchase.Tax, purchase.Total));
        Assert.Equal([new PurchaseProduct("Floppy Disk (512k)", 5m, 2, "7890-ijkl", 7, 1)], purchase.Products);
        var fetched = await kit.GetPurchaseAsync(purchase.Id);
        Assert.Equal((purchase.Id, "T-1"), (fetched.Id, fetched.TransactionId));
    }

    [Theory, Providers]
    public async Task CreatePurchase_SameTransactionTwice_ReplacesIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var first = await kit.CreatePurchaseAsync(Floppy("T-1"));

        var again = await kit.CreatePurchaseAsync(Floppy("T-1") with { Currency = "usd" });

        Assert.Equal((first.Id, "USD"), (again.Id, again.Currency));
        Assert.Equal(1L, (await kit.ListPurchasesAsync()).TotalCount);
    }

    [Theory, Providers]
    public async Task CreatePurchase_MissingFields_Throws400ListingThem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).CreatePurchaseAsync(new PurchaseRequest(" ", "ada@example.com", "USD", []))
            .AssertFailsAsync(400, "Your request is missing parameters", "transaction_id can't be blank, products can't be blank");
    }

    [Theory, Providers]
    public async Task GetPurchase_Unknown_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).GetPurchaseAsync(999).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListPurchases_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListPurchasesAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task ListAllPurchases_52Purchases_WalksTwoPages(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        for (var i = 0; i < 52; i++) await kit.CreatePurchaseAsync(Floppy($"T-{i:D2}"));

        var page = await kit.ListPurchasesAsync(page: 2);
        var all = await kit.ListAllPurchasesAsync().ToListAsync();

        Assert.Equal((2, 2, 52L, 2), (page.Page, page.TotalPages, page.TotalCount, page.Items.Count));
        Assert.Equal(Enumerable.Range(0, 52).Select(i => $"T-{i:D2}"), all.Select(p => p.TransactionId));
    }
}
