using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class CustomFieldsClientTests
{
    [Theory, Providers]
    public async Task CreateCustomField_OneLabel_DerivesKeyAndName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);

        var field = await kit.CreateCustomFieldAsync("Last Name");

        Assert.Equal(new CustomField(field.Id, $"ck_field_{field.Id}_last_name", "last_name", "Last Name"), field);
        Assert.Equal([field], await app.KeyOnlyClientFor(account).ListCustomFieldsAsync());
        Assert.Equal(field, await app.KeyOnlyClientFor(account).GetCustomFieldAsync(field.Id));
    }

    [Theory, Providers]
    public async Task CreateCustomFields_SeveralOrOneLabel_ReturnsAList(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);

        var two = await kit.CreateCustomFieldsAsync(["Phone Number", "Occupation"]);
        // Kit answers a one-element label array with a bare object; the client still returns a list.
        var one = await kit.CreateCustomFieldsAsync(["City"]);

        Assert.Equal(["phone_number", "occupation"], two.Select(f => f.Key));
        Assert.Equal("city", Assert.Single(one).Key);
    }

    [Theory, Providers]
    public async Task CreateCustomField_TakenLabel_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        await kit.CreateCustomFieldAsync("Company");

        await kit.CreateCustomFieldAsync("company").AssertUnprocessableAsync("Label has already been taken");
    }

    [Theory, Providers]
    public async Task ListCustomFields_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListCustomFieldsAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task UpdateCustomField_NewLabel_ChangesLabelAndKeyButNotName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var field = await kit.CreateCustomFieldAsync("Company");

        await kit.UpdateCustomFieldAsync(field.Id, "Employer");

        Assert.Equal(field with { Label = "Employer", Key = "employer" }, await kit.GetCustomFieldAsync(field.Id));
    }

    [Theory, Providers]
    public async Task UpdateCustomField_UnknownOrBlank_Throws404Or422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var field = await kit.CreateCustomFieldAsync("Company");

        await kit.UpdateCustomFieldAsync(999, "Employer").AssertNotFoundAsync();
        await kit.UpdateCustomFieldAsync(field.Id, "  ").AssertUnprocessableAsync("Label can't be blank");
    }

    [Theory, Providers]
    public async Task DeleteCustomField_Known_RemovesItThenIs404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var field = await kit.CreateCustomFieldAsync("Company");

        await kit.DeleteCustomFieldAsync(field.Id);

        Assert.Empty(await kit.ListCustomFieldsAsync());
        await kit.DeleteCustomFieldAsync(field.Id).AssertNotFoundAsync();
        await kit.GetCustomFieldAsync(field.Id).AssertNotFoundAsync();
    }
}
