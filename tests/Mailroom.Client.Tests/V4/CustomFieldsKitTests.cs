using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class CustomFieldsKitTests
{
    [Theory, Providers]
    public async Task CustomField_CreateRenameDelete_KeyFollowsTheLabelNameStays(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var created = await kit.CreateCustomFieldAsync("Last name");
        var renamed = await kit.UpdateCustomFieldAsync(created.Id, "Surname");

        Assert.Equal(("last_name", $"ck_field_{created.Id}_last_name", "Last name"), (created.Key, created.Name, created.Label));
        Assert.Equal(("surname", created.Name), (renamed.Key, renamed.Name));
        Assert.Equal([renamed], await kit.ListAllCustomFieldsAsync().ToListAsync());

        await kit.DeleteCustomFieldAsync(created.Id);

        Assert.Empty((await kit.ListCustomFieldsAsync()).Items);
        await kit.DeleteCustomFieldAsync(created.Id).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task CreateCustomField_BlankLabel_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.CreateCustomFieldAsync("  ").AssertKitErrorAsync(422, "Label can't be blank");
        await kit.UpdateCustomFieldAsync(999_999, "Label").AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task Subscriber_FieldValues_RoundTripByKey(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        await kit.CreateCustomFieldAsync("Company");

        var saved = await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com")
        {
            Fields = new Dictionary<string, string?> { ["company"] = "<Analytical Engines & Co>" },
        });

        Assert.Equal("<Analytical Engines & Co>", (await kit.GetSubscriberAsync(saved.Subscriber.Id)).Fields["company"]);
    }
}
