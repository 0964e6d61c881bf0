using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class AccountClientTests
{
    [Theory, Providers]
    public async Task GetAccount_WithSecret_ReturnsTheAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync("Acme Corp.", "owner@acme.test", "creator");

        var result = await app.ClientFor(account).GetAccountAsync();

        Assert.Equal(new Account("Acme Corp.", "creator", "owner@acme.test"), result);
    }

    [Theory, Providers]
    public async Task GetAccount_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().GetAccountAsync().AssertKeyNotValidAsync();
    }
}
