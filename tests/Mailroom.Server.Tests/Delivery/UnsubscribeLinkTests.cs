using System.Net;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Tests.Delivery;

public sealed class UnsubscribeLinkTests
{
    [Theory, Providers]
    public async Task UnsubscribeLink_GetShowsButtonThenPostCancelsAndCountsForTheBroadcast(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var subscriberId = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var tag = await app.AddTagAsync(account.Id);
        await app.DbAsync(async db =>
        {
            db.Subscriptions.Add(new Subscription { AccountId = account.Id, SubscriberId = subscriberId, SubscribableType = "tag",
                SubscribableId = tag.Id, State = "active", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
            await db.SaveChangesAsync();
        });
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var token = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).Select(r => r.Token).SingleAsync());

        var page = await app.Http.GetAsync($"/u/{token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"<form method=\"post\" action=\"/u/{token}\">", await page.Content.ReadAsStringAsync());
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);

        var done = await app.Http.PostAsync($"/u/{token}", new StringContent(""));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("<h1>Unsubscribed</h1>", await done.Content.ReadAsStringAsync());

        Assert.Equal(SubscriberStates.Cancelled, (await app.SubscribersAsync()).Single().State);
        Assert.Equal(SubscriptionStates.Cancelled, (await app.SubscriptionsAsync()).Single().State);
        Assert.NotNull(await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.Token == token).Select(r => r.UnsubscribedAt).SingleAsync()));
        Assert.Equal([("subscriber_unsubscribe", subscriberId, null)], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task UnsubscribeLink_OneClickPost_CancelsWithoutAPage(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var header = sink.Messages.Single().Headers["List-Unsubscribe"]!.Trim('<', '>');

        var response = await app.Http.PostAsync(new Uri(header).PathAndQuery, HttpAssert.Form(("List-Unsubscribe", "One-Click")));
        var repeat = await app.Http.PostAsync(new Uri(header).PathAndQuery, HttpAssert.Form(("List-Unsubscribe", "One-Click")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(SubscriberStates.Cancelled, (await app.SubscribersAsync()).Single().State);
        Assert.Single(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task UnsubscribeLink_UnknownToken_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync("/u/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.PostAsync("/u/nope", new StringContent(""))).StatusCode);
    }

    [Theory, Providers]
    public async Task UnsubscribePages_RefuseFramingAndCrossSitePosts(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var token = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).Select(r => r.Token).SingleAsync());

        var crossSite = new HttpRequestMessage(HttpMethod.Post, $"/u/{token}") { Content = new StringContent("") };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        var refused = await app.Http.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);

        foreach (var response in new[]
                 {
                     await app.Http.GetAsync($"/u/{token}"), refused, await app.Http.PostAsync($"/u/{token}", new StringContent("")),
                     await app.Http.GetAsync("/u/nope"), await app.Http.PostAsync("/u/nope", new StringContent("")),
                 })
        {
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
        }
        Assert.Equal(SubscriberStates.Cancelled, (await app.SubscribersAsync()).Single().State);
    }
}
