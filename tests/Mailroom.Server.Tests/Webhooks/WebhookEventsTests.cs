using Mailroom.Data;
using Mailroom.Server.Domain.Subscriptions;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;
using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>Each v3 event from the API call that causes it to the exact request the receiver gets (spec §4.5).</summary>
public sealed class WebhookEventsTests
{
    [Theory, Providers]
    public async Task SubscriberActivate_TagSubscribe_PostsTheFullSubscriberWithDeliveryHeaders(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddFieldAsync(account.Id, "company");
        await app.AddFieldAsync(account.Id, "phone");
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hooks/activate?x=1", new { name = "subscriber.subscriber_activate" });

        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon", fields = new { company = "Acme" } }))).AssertStatusAsync(200);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/activate?x=1", request.Path);
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("subscriber_activate", request.Header("X-Mailroom-Event"));
        Assert.Null(request.Header("X-Mailroom-Signature"));
        AssertJson(SubscriberPayload(1, "jon@example.com", "active", "Jon", """{"company":"Acme","phone":null}"""), request.Text);
        var delivery = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal(delivery.DeliveryId.ToString(), request.Header("X-Mailroom-Delivery"));
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 1, 200, (string?)null), (delivery.Status, delivery.Attempts, delivery.LastStatusCode, delivery.LastError));
        Assert.Equal(MailroomApp.Start.UtcDateTime, delivery.DeliveredAt);
        Assert.True(await app.DbAsync(db => db.OutboxEvents.AllAsync(e => e.ProcessedAt != null)));
    }

    [Theory, Providers]
    public async Task FormSubscribe_FormWithoutDoubleOptIn_FiresForThatFormOnly(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var other = await app.AddFormAsync(account.Id, "Other", uid: "other00001");
        await app.RuleAsync(account, $"{receiver.Url}/form", new { name = "subscriber.form_subscribe", form_id = form.Id });
        await app.RuleAsync(account, $"{receiver.Url}/other", new { name = "subscriber.form_subscribe", form_id = other.Id.ToString() });

        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "Jon@Example.com" }))).AssertStatusAsync(200);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/form", request.Path);
        Assert.Equal("form_subscribe", request.Header("X-Mailroom-Event"));
        AssertJson(SubscriberPayload(1, "Jon@Example.com", "active"), request.Text);
    }

    [Theory, Providers]
    public async Task CourseSubscribe_RulesByCourseIdAndSequenceId_BothFireAndOtherSequencesDoNot(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, Mailroom.Server.Tests.Delivery.DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);
        var other = await app.AddSequenceAsync(account.Id, "Other");
        await app.RuleAsync(account, $"{receiver.Url}/course", new { name = "subscriber.course_subscribe", course_id = sequence.Id });
        await app.RuleAsync(account, $"{receiver.Url}/sequence", new { name = "subscriber.course_subscribe", sequence_id = sequence.Id });
        await app.RuleAsync(account, $"{receiver.Url}/other", new { name = "subscriber.course_subscribe", course_id = other.Id });

        await (await app.Http.PostAsync($"/v3/sequences/{sequence.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon" }))).AssertStatusAsync(200);
        await app.DispatchAsync();

        Assert.Equal(["/course", "/sequence"], receiver.Requests.Select(r => r.Path).Order());
        Assert.All(receiver.Requests, r => AssertJson(SubscriberPayload(1, "jon@example.com", "active", "Jon"), r.Text));
        // Two rules, two deliveries, each with its own id.
        Assert.Equal(2, receiver.Requests.Select(r => r.Header("X-Mailroom-Delivery")).Distinct().Count());
    }

    [Theory, Providers]
    public async Task CourseComplete_SequenceFinished_FiresForThatSequence(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, Mailroom.Server.Tests.Delivery.DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);
        var other = await app.AddSequenceAsync(account.Id, "Other");
        await app.RuleAsync(account, $"{receiver.Url}/done", new { name = "subscriber.course_complete", sequence_id = sequence.Id });
        await app.RuleAsync(account, $"{receiver.Url}/other", new { name = "subscriber.course_complete", course_id = other.Id });
        await (await app.Http.PostAsync($"/v3/sequences/{sequence.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);

        // The sequence engine completes the subscriber once its last published email is due (here: at once).
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Mailroom.Server.Domain.Sequences.SequenceEditor>().AddEmailAsync(account.Id, sequence.Id,
                new Mailroom.Server.Domain.Sequences.EmailSettings(Subject: "Only", DelayValue: 0, DelayUnit: "days", Published: true), CancellationToken.None);
        await app.Services.GetRequiredService<Mailroom.Server.Delivery.Sequences.SequenceScheduler>().RunOnceAsync(CancellationToken.None);
        await app.Services.GetRequiredService<Mailroom.Server.Delivery.Sequences.SequenceSender>().RunOnceAsync(CancellationToken.None);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("/done", "course_complete"), (request.Path, request.Header("X-Mailroom-Event")));
        AssertJson(SubscriberPayload(1, "jon@example.com", "active"), request.Text);
    }

    [Theory, Providers]
    public async Task TagAddAndRemove_RuleForOneTag_FiresOnlyForThatTag(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var four = await app.AddTagAsync(account.Id, "Four");
        var five = await app.AddTagAsync(account.Id, "Five");
        await app.RuleAsync(account, $"{receiver.Url}/add", new { name = "subscriber.tag_add", tag_id = four.Id });
        await app.RuleAsync(account, $"{receiver.Url}/remove", new { name = "subscriber.tag_remove", tag_id = four.Id });

        await (await app.Http.PostAsync($"/v3/tags/{five.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DispatchAsync();
        Assert.Empty(receiver.Attempts);

        await (await app.Http.PostAsync($"/v3/tags/{four.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DispatchAsync();
        await (await app.Http.DeleteAsync($"/v3/subscribers/1/tags/{five.Id}?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        await (await app.Http.DeleteAsync($"/v3/subscribers/1/tags/{four.Id}?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        await app.DispatchAsync();

        Assert.Equal(["/add", "/remove"], receiver.Requests.Select(r => r.Path));
        Assert.Equal(["tag_add", "tag_remove"], receiver.Requests.Select(r => r.Header("X-Mailroom-Event")));
        Assert.All(receiver.Requests, r => AssertJson(SubscriberPayload(1, "jon@example.com", "active"), r.Text));
    }

    [Theory, Providers]
    public async Task SubscriberUnsubscribe_PutUnsubscribe_PostsTheCancelledSubscriber(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.RuleAsync(account, $"{receiver.Url}/bye", new { name = "subscriber.subscriber_unsubscribe" });

        await (await app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("subscriber_unsubscribe", request.Header("X-Mailroom-Event"));
        AssertJson(SubscriberPayload(1, "jon@example.com", "cancelled"), request.Text);
    }

    [Theory, Providers]
    public async Task ProductPurchase_RuleForOnePid_FiresOnlyForThatProduct(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.RuleAsync(account, $"{receiver.Url}/floppy", new { name = "subscriber.product_purchase", product_id = 9999 });
        await app.RuleAsync(account, $"{receiver.Url}/other", new { name = "subscriber.product_purchase", product_id = 1 });

        await (await PurchaseAsync(app, account)).AssertStatusAsync(201);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("/floppy", "product_purchase"), (request.Path, request.Header("X-Mailroom-Event")));
        // A buyer Mailroom didn't know is added as an active subscriber (PurchaseService).
        AssertJson(SubscriberPayload(1, "john@example.com", "active", "John"), request.Text);
    }

    [Theory, Providers]
    public async Task PurchaseCreate_NewPurchase_PostsTheBarePurchaseAsGetReturnsIt(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.RuleAsync(account, $"{receiver.Url}/purchase", new { name = "purchase.purchase_create" });

        await (await PurchaseAsync(app, account)).AssertStatusAsync(201);
        await (await PurchaseAsync(app, account)).AssertStatusAsync(201); // a re-post updates; it is not a new purchase
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("purchase_create", request.Header("X-Mailroom-Event"));
        AssertJson("""
            {"id":1,"transaction_id":"123-abcd-456-efgh","status":"paid","email_address":"john@example.com","currency":"JPY",
             "transaction_time":"2018-03-17T11:28:04.000Z","subtotal":20.0,"shipping":2.0,"discount":5.0,"tax":2.0,"total":19.0,
             "products":[{"pid":9999,"lid":7777,"sku":"7890-ijkl","name":"Floppy Disk (512k)","unit_price":5.0,"quantity":2},
                         {"pid":5555,"lid":7778,"sku":null,"name":"Telephone Cord (data)","unit_price":10.0,"quantity":1}]}
            """, request.Text);
        var get = await app.Http.GetAsync($"/v3/purchases/1?api_secret={account.ApiSecret}");
        AssertJson(await get.Content.ReadAsStringAsync(), request.Text);
    }

    static Task<HttpResponseMessage> PurchaseAsync(MailroomApp app, TestAccount account) =>
        app.Http.PostAsync("/v3/purchases", HttpAssert.Json($$"""
            {"api_secret":"{{account.ApiSecret}}","purchase":{"transaction_id":"123-abcd-456-efgh","email_address":"john@example.com",
             "first_name":"John","currency":"jpy","transaction_time":"2018-03-17 11:28:04","subtotal":20,"tax":2,"shipping":2,
             "discount":5,"total":19,"status":"paid",
             "products":[{"pid":9999,"lid":7777,"name":"Floppy Disk (512k)","sku":"7890-ijkl","unit_price":5,"quantity":2},
                         {"pid":5555,"lid":7778,"name":"Telephone Cord (data)","unit_price":10,"quantity":1}]} }
            """));
}
