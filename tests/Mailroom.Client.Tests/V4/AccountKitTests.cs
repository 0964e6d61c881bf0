using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class AccountKitTests
{
    [Theory, Providers]
    public async Task GetAccount_ApiKey_ReturnsTheKeysAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync("Acme <Corp>", "owner@acme.test");

        var current = await kit.GetAccountAsync();

        Assert.Equal((account.Id, "Acme <Corp>", "owner@acme.test"), (current.Account.Id, current.Account.Name, current.User.Email));
    }

    [Theory, Providers]
    public async Task Colors_Update_ReplacesThemAndRefusesANonHexCode(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var updated = await kit.UpdateColorsAsync(["#008000", "#ff00ff"]);

        Assert.Equal(["#008000", "#ff00ff"], updated);
        Assert.Equal(updated, await kit.ListColorsAsync());
        await kit.UpdateColorsAsync(["#123_not_a_code"]).AssertKitErrorAsync(422, "Colors #123_not_a_code is not a valid hex color code.");
    }

    [Theory, Providers]
    public async Task Stats_NewAccount_ReadEmailAndGrowthStats(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"));

        var email = await kit.GetEmailStatsAsync();
        var growth = await kit.GetGrowthStatsAsync(new DateOnly(2024, 4, 1), new DateOnly(2024, 5, 31));

        Assert.Equal((0L, 0L, 0L), (email.Sent, email.Opened, email.Clicked));
        Assert.Equal((1L, 1L), (growth.NewSubscribers, growth.Subscribers));
        await kit.GetGrowthStatsAsync(new DateOnly(2024, 5, 31), new DateOnly(2024, 4, 1))
            .AssertKitErrorAsync(422, "Starting date must be before the ending date.");
    }
}
