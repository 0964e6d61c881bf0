using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class SequencesKitTests
{
    [Theory, Providers]
    public async Task Sequence_CreateGetUpdateListDelete_RoundTripsItsSettings(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var created = await kit.CreateSequenceAsync(new SequenceRequest
        {
            Name = "<b>Welcome</b>", SendDays = ["monday", "friday"], SendHour = 9, Repeat = true,
        });
        var updated = await kit.UpdateSequenceAsync(created.Id, new SequenceRequest { Hold = true, Active = false });

        Assert.Equal(("<b>Welcome</b>", true, 9, MailroomApp.Start), (created.Name, created.Repeat, created.SendHour, created.CreatedAt));
        Assert.Equal(["monday", "friday"], created.SendDays);
        Assert.Equal((true, false, true, 9), (updated.Hold, updated.Active, updated.Repeat, updated.SendHour));
        var read = await kit.GetSequenceAsync(created.Id);
        Assert.Equal((updated.Name, updated.Hold, updated.Active, updated.TimeZone), (read.Name, read.Hold, read.Active, read.TimeZone));
        Assert.Equal(updated.SendDays, read.SendDays);
        Assert.Equal([created.Id], (await kit.ListAllSequencesAsync().ToListAsync()).Select(s => s.Id));

        await kit.DeleteSequenceAsync(created.Id);

        await kit.GetSequenceAsync(created.Id).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task CreateSequence_HourOutOfRange_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.CreateSequenceAsync(new SequenceRequest { Name = "Welcome", SendHour = 24 })
            .AssertKitErrorAsync(422, "send_hour must be an integer between 0 and 23");
        await kit.UpdateSequenceAsync(999_999, new SequenceRequest { Name = "x" }).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task AddSubscriberToSequence_ByEmailAndId_ListsThemAndRefusesAnInactiveSequence(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        await app.AddSubscribersAsync(account.Id, 2);
        var ids = await app.SubscriberIdsAsync(account.Id);
        var sequence = await kit.CreateSequenceAsync(new SequenceRequest { Name = "Welcome" });

        var byEmail = await kit.AddSubscriberToSequenceByEmailAsync(sequence.Id, "s000@example.com");
        var byId = await kit.AddSubscriberToSequenceAsync(sequence.Id, ids["s001@example.com"]);

        Assert.Equal((ids["s000@example.com"], ids["s001@example.com"]), (byEmail.Id, byId.Id));
        Assert.Equal(ids.Values.Order(), (await kit.ListAllSequenceSubscribersAsync(sequence.Id).ToListAsync()).Select(s => s.Id).Order());

        var paused = await kit.CreateSequenceAsync(new SequenceRequest { Name = "Paused", Active = false });
        await kit.AddSubscriberToSequenceByEmailAsync(paused.Id, "s000@example.com").AssertKitErrorAsync(422, "Sequence is inactive");
        await kit.AddSubscriberToSequenceAsync(sequence.Id, 999_999).AssertKitErrorAsync(404, "Not Found");
    }
}
