using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class FormsClientTests
{
    [Theory, Providers]
    public async Task ListForms_OneForm_ReturnsItWithEmbedUrls(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, "Newsletter");

        var forms = await app.KeyOnlyClientFor(account).ListFormsAsync();

        var page = $"http://mailroom.test/forms/{form.Uid}";
        Assert.Equal(
            [new Form(form.Id, "Newsletter", MailroomApp.Start, "embed", "inline", $"{page}/index.js", page, false, form.Uid, page,
                "Join us", null, "Subscribe", "Thanks!")],
            forms);
    }

    [Theory, Providers]
    public async Task GetForm_Known_ReturnsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, "Newsletter");

        var result = await app.KeyOnlyClientFor(account).GetFormAsync(form.Id);

        Assert.Equal((form.Id, "Newsletter", "embed", form.Uid), (result.Id, result.Name, result.Type, result.Uid));
    }

    [Theory, Providers]
    public async Task GetForm_Unknown_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).GetFormAsync(999).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListForms_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListFormsAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task ListSubscriptionForms_OneForm_MapsItToItself(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var mappings = await app.KeyOnlyClientFor(account).ListSubscriptionFormsAsync();

        Assert.Equal([new SubscriptionForm(form.Id, form.Id, false)], mappings);
    }

    [Theory, Providers]
    public async Task SubscribeToForm_NewAddressWithFieldsAndTag_CreatesTheSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var kit = app.ClientFor(account);
        await kit.CreateCustomFieldAsync("Last name");
        var tag = await kit.CreateTagAsync("Lead");

        var result = await kit.SubscribeToFormAsync(form.Id, new SubscribeRequest("ada@example.com")
        {
            FirstName = "Ada", Fields = new Dictionary<string, string?> { ["last_name"] = "Lovelace" }, Tags = [tag.Id],
        });

        Assert.Equal(("active", form.Id, "form", MailroomApp.Start), (result.State, result.SubscribableId, result.SubscribableType, result.CreatedAt));
        var subscriber = await kit.GetSubscriberAsync(result.Subscriber.Id);
        Assert.Equal(("Ada", "ada@example.com", "Lovelace"), (subscriber.FirstName, subscriber.EmailAddress, subscriber.Fields["last_name"]));
        Assert.Equal([tag], await kit.ListSubscriberTagsAsync(subscriber.Id));
    }

    [Theory, Providers]
    public async Task SubscribeToForm_DoubleOptIn_LeavesTheSubscriptionInactive(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);

        var result = await app.KeyOnlyClientFor(account).SubscribeToFormAsync(form.Id, new SubscribeRequest("ada@example.com"));

        Assert.Equal("inactive", result.State);
    }

    [Theory, Providers]
    public async Task SubscribeToForm_InvalidEmail_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        await app.KeyOnlyClientFor(account).SubscribeToFormAsync(form.Id, new SubscribeRequest("not-an-email"))
            .AssertFailsAsync(422, "Error updating subscriber", "Email address is invalid");
    }

    [Theory, Providers]
    public async Task SubscribeToForm_UnknownForm_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.KeyOnlyClientFor(account).SubscribeToFormAsync(999, new SubscribeRequest("ada@example.com")).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_ActiveAndCancelled_FilterAndOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var kit = app.ClientFor(account);
        foreach (var email in new[] { "a@example.com", "b@example.com", "c@example.com" })
        {
            await kit.SubscribeToFormAsync(form.Id, new SubscribeRequest(email));
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await kit.UnsubscribeAsync("b@example.com");

        var active = await kit.ListFormSubscriptionsAsync(form.Id, query: new SubscriptionQuery { SortOrder = SortOrder.Descending });
        var cancelled = await kit.ListFormSubscriptionsAsync(form.Id,
            query: new SubscriptionQuery { SubscriberState = SubscriptionState.Cancelled });

        Assert.Equal((1, 1, 2L), (active.Page, active.TotalPages, active.TotalCount));
        Assert.Equal(["c@example.com", "a@example.com"], active.Items.Select(s => s.Subscriber.EmailAddress));
        Assert.Equal(("cancelled", "cancelled"), (cancelled.Items.Single().State, cancelled.Items.Single().Subscriber.State));
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_UnknownForm_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).ListFormSubscriptionsAsync(999).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListAllFormSubscriptions_TwoPages_WalksBoth(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var kit = app.ClientFor(account);
        for (var i = 0; i < 55; i++) await kit.SubscribeToFormAsync(form.Id, new SubscribeRequest($"s{i:D2}@example.com"));

        var all = await kit.ListAllFormSubscriptionsAsync(form.Id).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 55).Select(i => $"s{i:D2}@example.com"), all.Select(s => s.Subscriber.EmailAddress));
    }
}
