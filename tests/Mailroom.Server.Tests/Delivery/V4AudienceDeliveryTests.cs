using Mailroom.Data;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Api.V4;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Sequences;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// What v4 adds to sending, end to end over a real SMTP sink: a broadcast's subscriber_filter decides who is frozen
/// as a recipient, and <c>{{ snippet.key }}</c> renders in sent broadcasts and sequence emails.
/// </summary>
public sealed class V4AudienceDeliveryTests
{
    static async Task TagAsync(MailroomApp app, long accountId, long subscriberId, long tagId, string state = SubscriptionStates.Active) =>
        await app.DbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            db.Subscriptions.Add(new Subscription
            {
                AccountId = accountId, SubscriberId = subscriberId, SubscribableType = SubscribableTypes.Tag, SubscribableId = tagId,
                State = state, CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        });

    static object Filter(string group, params object[] entries) => new[] { new Dictionary<string, object[]> { [group] = entries } };

    [Theory, Providers]
    public async Task FilteredBroadcasts_ReachExactlyTheMatchingActiveSubscribers(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        // Small chunks, so PostgreSQL's chunked freeze applies the filter across several chunks.
        settings["Delivery:FreezeChunkSize"] = "2";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var other = await app.CreateAccountAsync("Other", "other@other.test");
        var a = await BroadcastsTests.TagAsync(app, account.Id, "a");
        var b = await BroadcastsTests.TagAsync(app, account.Id, "b");
        var segment = await BroadcastsTests.SegmentAsync(app, account.Id, "engaged");
        var ab = await app.SubscriberAsync(account.Id, "ab@example.com", "AB");
        var onlyA = await app.SubscriberAsync(account.Id, "a@example.com", "A");
        var onlyB = await app.SubscriberAsync(account.Id, "b@example.com", "B");
        await app.SubscriberAsync(account.Id, "none@example.com", "None");
        var cancelled = await app.SubscriberAsync(account.Id, "cancelled@example.com", "C", SubscriberStates.Cancelled);
        var untagged = await app.SubscriberAsync(account.Id, "untagged@example.com", "U");
        var stranger = await app.SubscriberAsync(other.Id, "stranger@example.com", "S");
        foreach (var (subscriber, tag) in new[] { (ab, a), (ab, b), (onlyA, a), (onlyB, b), (cancelled, a) })
            await TagAsync(app, account.Id, subscriber, tag);
        // A removed tag no longer counts.
        await TagAsync(app, account.Id, untagged, a, SubscriptionStates.Cancelled);
        await TagAsync(app, other.Id, stranger, a);

        var cases = new (string Name, object Filter, string[] Expected)[]
        {
            ("all", Filter("all", new { type = "tag", ids = new[] { a, b } }), ["ab@example.com"]),
            ("any", Filter("any", new { type = "tag", ids = new[] { a, b } }), ["a@example.com", "ab@example.com", "b@example.com"]),
            ("none", Filter("none", new { type = "tag", ids = new[] { a } }), ["b@example.com", "none@example.com", "untagged@example.com"]),
            ("all+segment", Filter("all", new { type = "tag", ids = new[] { a } }, new { type = "segment", ids = new[] { segment } }), []),
            ("any+segment", Filter("any", new { type = "segment", ids = new[] { segment } }, new { type = "tag", ids = new[] { b } }), ["ab@example.com", "b@example.com"]),
            ("none segment", Filter("none", new { type = "segment", ids = new[] { segment } }),
                ["a@example.com", "ab@example.com", "b@example.com", "none@example.com", "untagged@example.com"]),
        };
        var ids = new Dictionary<string, long>();
        foreach (var c in cases)
        {
            var created = await BroadcastsTests.WriteAsync(client, HttpMethod.Post, "/v4/broadcasts", new
            {
                subject = c.Name, content = "<p>Hi {{ subscriber.first_name }}</p>", subscriber_filter = c.Filter,
                send_at = "2024-05-01T10:00:00Z",
            }, 201);
            ids[c.Name] = created["broadcast"]!["id"]!.GetValue<long>();
        }

        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        foreach (var c in cases)
        {
            var sentTo = sink.Messages.Where(m => m.Subject == c.Name).Select(m => m.To.Mailboxes.Single().Address).Order().ToList();
            Assert.True(c.Expected.SequenceEqual(sentTo), $"{c.Name}: sent to {string.Join(", ", sentTo)}");
            var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(x => x.Id == ids[c.Name]));
            Assert.Equal((BroadcastStatuses.Completed, c.Expected.Length, c.Expected.Length), (broadcast.Status, broadcast.RecipientCount, broadcast.SentCount));
        }
    }

    [Theory, Providers]
    public async Task Snippets_RenderAtSendTime_InBroadcastsAndSequenceEmails(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.SubscriberAsync(account.Id, "jon@example.com", "<b>Jon</b>");
        await client.PostAsync("/v4/snippets", new { name = "Welcome message", snippet_type = "inline", content = "Hello {{ subscriber.first_name }}, {{ snippet.sign-off }}" }, 201);
        var signOff = await client.PostAsync("/v4/snippets", new { name = "Sign off", snippet_type = "block", document_attributes = new { value_html = "<em>see you</em>" } }, 201);
        var gone = await client.PostAsync("/v4/snippets", new { name = "Gone", snippet_type = "inline", content = "ARCHIVED TEXT" }, 201);
        await client.PutAsync($"/v4/snippets/{gone["snippet"]!["id"]}", new { archived = true });
        const string content = "<p>{{ snippet.welcome-message }}</p><p>[{{snippet.gone}}][{{ snippet.unknown }}]</p>";

        await BroadcastsTests.WriteAsync(client, HttpMethod.Post, "/v4/broadcasts",
            new { subject = "News {{ snippet.sign-off }}", content, send_at = "2024-05-01T10:00:00Z" }, 201);
        // Edited after the broadcast was written: the send uses the snippet as it is now.
        await client.PutAsync($"/v4/snippets/{signOff["snippet"]!["id"]}", new { document_attributes = new { value_html = "<em>bye now</em>" } });
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        var broadcast = Assert.Single(sink.To("jon@example.com"));
        Assert.Contains("<p>Hello &lt;b&gt;Jon&lt;/b&gt;, <em>bye now</em></p><p>[][]</p>", broadcast.HtmlBody);
        Assert.Equal("News <em>bye now</em>", broadcast.Subject);

        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), SequenceArrange.Email("Lesson", 0, content: content));
        await app.SubscribeAsync(account, sequence, "ann@example.com", firstName: "Ann");
        await app.StepAsync();

        var lesson = Assert.Single(sink.To("ann@example.com"));
        Assert.Contains("<p>Hello Ann, <em>bye now</em></p><p>[][]</p>", lesson.HtmlBody);
    }
}
