using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class SequenceEmailsKitTests
{
    [Theory, Providers]
    public async Task SequenceEmail_CreateUpdateListDelete_KeepsPositionOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var sequence = await kit.CreateSequenceAsync(new SequenceRequest { Name = "Welcome" });

        var first = await kit.CreateSequenceEmailAsync(sequence.Id, new SequenceEmailRequest
        {
            Subject = "Welcome <friend>", DelayValue = 0, DelayUnit = "days", Content = "<p>Hi {{ subscriber.first_name }}</p>",
        });
        var second = await kit.CreateSequenceEmailAsync(sequence.Id, new SequenceEmailRequest { Subject = "Day two", DelayValue = 2, DelayUnit = "hours" });
        var published = await kit.UpdateSequenceEmailAsync(sequence.Id, first.Id, new SequenceEmailRequest { Published = true });

        Assert.Equal(("Welcome <friend>", false, 0), (first.Subject, first.Published, first.Position));
        Assert.Equal(("hours", (IReadOnlyList<string>?)null, 1), (second.DelayUnit, second.SendDays, second.Position));
        Assert.True(published.Published);
        Assert.Equal("<p>Hi {{ subscriber.first_name }}</p>", (await kit.GetSequenceEmailAsync(sequence.Id, first.Id)).Content);
        var listed = await kit.ListAllSequenceEmailsAsync(sequence.Id, perPage: 1).ToListAsync();
        Assert.Equal([first.Id, second.Id], listed.Select(e => e.Id));
        Assert.All(listed, e => Assert.Null(e.Content));

        await kit.DeleteSequenceEmailAsync(sequence.Id, second.Id);

        await kit.GetSequenceEmailAsync(sequence.Id, second.Id).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task CreateSequenceEmail_BlankSubjectOrUnknownSequence_Throws422Or404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var sequence = await kit.CreateSequenceAsync(new SequenceRequest { Name = "Welcome" });

        await kit.CreateSequenceEmailAsync(sequence.Id, new SequenceEmailRequest { Subject = "", DelayValue = 1, DelayUnit = "days" })
            .AssertKitErrorAsync(422, "subject can't be blank");
        await kit.CreateSequenceEmailAsync(999_999, new SequenceEmailRequest { Subject = "Hi", DelayValue = 1, DelayUnit = "days" })
            .AssertKitErrorAsync(404, "Not Found");
    }
}
