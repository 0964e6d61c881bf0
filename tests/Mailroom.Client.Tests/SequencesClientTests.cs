using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class SequencesClientTests
{
    [Theory, Providers]
    public async Task ListSequences_OneSequence_ReturnsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id, "Welcome course");

        var result = await app.KeyOnlyClientFor(account).ListSequencesAsync();

        Assert.Equal([new Sequence(sequence.Id, "Welcome course", false, true, MailroomApp.Start)], result);
    }

    [Theory, Providers]
    public async Task ListSequences_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListSequencesAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_NewAddress_IsActiveAtOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);

        var result = await app.KeyOnlyClientFor(account).SubscribeToSequenceAsync(sequence.Id, new SubscribeRequest("ada@example.com"));

        Assert.Equal(("active", sequence.Id, "course"), (result.State, result.SubscribableId, result.SubscribableType));
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_UnknownSequence_Throws404CourseNotFound(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.KeyOnlyClientFor(account).SubscribeToSequenceAsync(999, new SubscribeRequest("ada@example.com"))
            .AssertFailsAsync(404, "Course not found", "");
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_InvalidEmail_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);

        await app.KeyOnlyClientFor(account).SubscribeToSequenceAsync(sequence.Id, new SubscribeRequest("ada@"))
            .AssertFailsAsync(422, "Error updating subscriber", "Email address is invalid");
    }

    [Theory, Providers]
    public async Task ListSequenceSubscriptions_TwoSubscribers_ListsBothWithTheirSubscribers(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);
        var kit = app.ClientFor(account);
        var first = await kit.SubscribeToSequenceAsync(sequence.Id, new SubscribeRequest("a@example.com") { FirstName = "Ann" });
        await kit.SubscribeToSequenceAsync(sequence.Id, new SubscribeRequest("b@example.com"));

        var page = await kit.ListSequenceSubscriptionsAsync(sequence.Id);
        var all = await kit.ListAllSequenceSubscriptionsAsync(sequence.Id).ToListAsync();

        Assert.Equal((1, 1, 2L), (page.Page, page.TotalPages, page.TotalCount));
        var subscription = page.Items[0];
        // Records compare dictionaries by reference, so the expected value borrows the (asserted empty) field map.
        Assert.Equal(new Subscription(first.Id, "active", MailroomApp.Start, subscription.Source, null, sequence.Id, "course",
            new Subscriber(first.Subscriber.Id, "Ann", "a@example.com", "active", MailroomApp.Start, subscription.Subscriber.Fields)),
            subscription);
        Assert.Empty(subscription.Subscriber.Fields);
        Assert.Equal(page.Items.Select(s => s.Id), all.Select(s => s.Id));
    }

    [Theory, Providers]
    public async Task ListSequenceSubscriptions_UnknownSequence_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).ListSequenceSubscriptionsAsync(999).AssertNotFoundAsync();
    }
}
