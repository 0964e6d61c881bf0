using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class AccountApiTests
{
    [Theory, Providers]
    public async Task GetAccount_WithSecret_ReturnsAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync("Acme Corp.", "you@example.com", "free");

        var response = await app.Http.GetAsync($"/v3/account?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"free","primary_email_address":"you@example.com"}""");
    }

    [Theory, Providers]
    public async Task GetAccount_WithKeyOnly_Returns401InsufficientPermissions(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/account?api_key={account.ApiKey}");

        await response.AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }
}
