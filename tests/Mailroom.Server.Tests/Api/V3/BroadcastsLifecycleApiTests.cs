using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>Update, delete and stats of broadcasts: partial updates, draft ↔ scheduled, the lock once sending.</summary>
public sealed class BroadcastsLifecycleApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";
    const string Locked = """{"error":"Unprocessable Entity","message":"Broadcast has already been sent and can't be changed"}""";

    [Theory, Providers]
    public async Task UpdateBroadcast_OnlySubject_KeepsEveryOmittedField(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new
        {
            subject = "Old", content = "<p>Body</p>", description = "Note", @public = true, published_at = "2024-05-01 10:00:00",
            send_at = "2024-05-20 08:00:00", thumbnail_alt = "Alt", thumbnail_url = "https://example.com/t.png", email_address = "news@acme.test",
        });
        app.Clock.Advance(TimeSpan.FromHours(1));

        var response = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "New {{ subscriber.first_name }}" }));

        const string expected = """
            {"broadcast":{"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":"New {{ subscriber.first_name }}",
             "description":"Note","content":"<p>Body</p>","public":true,"published_at":"2024-05-01T10:00:00.000Z",
             "send_at":"2024-05-20T08:00:00.000Z","thumbnail_alt":"Alt","thumbnail_url":"https://example.com/t.png",
             "email_address":"news@acme.test","email_layout_template":"Text Only"}}
            """;
        await response.AssertJsonAsync(200, expected);
        await (await app.Http.GetAsync($"/v3/broadcasts/1?api_secret={account.ApiSecret}")).AssertJsonAsync(200, expected);
        var stored = await app.DbAsync(db => db.Broadcasts.SingleAsync());
        Assert.Equal("scheduled", stored.Status);
        Assert.Equal(new DateTime(2024, 5, 1, 11, 0, 0, DateTimeKind.Utc), stored.UpdatedAt);
    }

    [Theory, Providers]
    public async Task UpdateBroadcast_SetThenClearSendAt_MovesDraftToScheduledAndBack(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Hi" });

        var scheduled = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, send_at = "2024-05-16T00:14:00.000Z" }));
        var scheduledStatus = await StatusAsync(app);
        var draft = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, send_at = (string?)null }));

        Assert.Equal("2024-05-16T00:14:00.000Z", (await scheduled.AssertStatusAsync(200))["broadcast"]!["send_at"]!.GetValue<string>());
        Assert.Equal("scheduled", scheduledStatus);
        Assert.Null((await draft.AssertStatusAsync(200))["broadcast"]!["send_at"]);
        Assert.Equal("draft", await StatusAsync(app));
        var stats = await (await app.Http.GetAsync($"/v3/broadcasts/1/stats?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        Assert.Equal("draft", stats["broadcast"]!["stats"]!["status"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task UpdateBroadcast_NullAndBlankValues_ClearFieldsAndRestoreDefaults(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.DbAsync(db =>
        {
            db.EmailLayouts.Add(new EmailLayout { AccountId = account.Id, Name = "Branded", Html = "{{ content }}", CreatedAt = MailroomApp.Start.UtcDateTime });
            return db.SaveChangesAsync();
        });
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "S", description = "D", email_address = "news@acme.test", email_layout_template = "Branded" });

        var response = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(
            """{"description":null,"email_address":"","email_layout_template":null,"public":null}""".Insert(1, $"\"api_secret\":\"{account.ApiSecret}\",")));

        await response.AssertJsonAsync(200, """
            {"broadcast":{"id":1,"created_at":"2024-05-01T10:00:00.000Z","subject":"S","description":null,"content":null,
             "public":false,"published_at":null,"send_at":null,"thumbnail_alt":null,"thumbnail_url":null,
             "email_address":"owner@acme.test","email_layout_template":"Text Only"}}
            """);
    }

    [Theory, Providers]
    public async Task UpdateBroadcast_Invalid_Returns422AndChangesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Keep" });

        var response = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "Changed", content = "{% for %}", send_at = "2024-02-30 10:00:00" }));

        var body = await response.AssertStatusAsync(422);
        Assert.Equal("Unprocessable Entity", body["error"]!.GetValue<string>());
        Assert.StartsWith("Send at is invalid, Content is not a valid Liquid template: ", body["message"]!.GetValue<string>());
        var stored = await app.DbAsync(db => db.Broadcasts.SingleAsync());
        Assert.Equal(("Keep", (DateTime?)null, "draft"), (stored.Subject, stored.SendAt, stored.Status));
    }

    [Theory, Providers]
    public async Task UpdateBroadcast_UnknownOrOtherAccounts_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await BroadcastsApiTests.CreateAsync(app, other, new { subject = "Theirs" });

        var theirs = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "Mine now" }));
        var unknown = await app.Http.PutAsync("/v3/broadcasts/42", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "x" }));

        await theirs.AssertJsonAsync(404, NotFound);
        await unknown.AssertJsonAsync(404, NotFound);
        Assert.Equal("Theirs", await app.DbAsync(db => db.Broadcasts.Select(b => b.Subject).SingleAsync()));
    }

    [Theory, Providers]
    public async Task UpdateAndDestroyBroadcast_SendingOrCompleted_Returns422Locked(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Going out", send_at = "2024-05-01 09:00:00" });
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Gone out" });
        await app.DbAsync(async db =>
        {
            await db.Broadcasts.Where(b => b.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, "sending"));
            await db.Broadcasts.Where(b => b.Id == 2).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, "completed"));
        });

        var update = await app.Http.PutAsync("/v3/broadcasts/1", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "Too late" }));
        var unschedule = await app.Http.PutAsync("/v3/broadcasts/2", HttpAssert.Json(new { api_secret = account.ApiSecret, send_at = (string?)null }));
        var destroySending = await app.Http.SendJsonAsync(HttpMethod.Delete, "/v3/broadcasts/1", new { api_secret = account.ApiSecret });
        var destroyCompleted = await app.Http.DeleteAsync($"/v3/broadcasts/2?api_secret={account.ApiSecret}");

        await update.AssertJsonAsync(422, Locked);
        await unschedule.AssertJsonAsync(422, Locked);
        await destroySending.AssertJsonAsync(422, Locked);
        await destroyCompleted.AssertJsonAsync(422, Locked);
        var stored = await app.DbAsync(db => db.Broadcasts.OrderBy(b => b.Id).Select(b => new { b.Subject, b.Status }).ToListAsync());
        Assert.Equal(["Going out:sending", "Gone out:completed"], stored.Select(b => $"{b.Subject}:{b.Status}"));
    }

    [Theory, Providers]
    public async Task DestroyBroadcast_DraftOrScheduled_Returns204AndIsGone(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Draft" });
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Scheduled", send_at = "2024-05-15 10:00:00" });

        // The PHP SDK and the WordPress library send the secret in a JSON body on DELETE.
        var draft = await app.Http.SendJsonAsync(HttpMethod.Delete, "/v3/broadcasts/1", new { api_secret = account.ApiSecret });
        var scheduled = await app.Http.DeleteAsync($"/v3/broadcasts/2?api_secret={account.ApiSecret}");

        Assert.Equal(204, (int)draft.StatusCode);
        Assert.Equal("", await draft.Content.ReadAsStringAsync());
        Assert.Equal(204, (int)scheduled.StatusCode);
        await (await app.Http.GetAsync($"/v3/broadcasts/1?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.DeleteAsync($"/v3/broadcasts/1?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task DestroyBroadcast_OtherAccounts_Returns404AndKeepsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await BroadcastsApiTests.CreateAsync(app, other, new { subject = "Theirs" });

        var response = await app.Http.DeleteAsync($"/v3/broadcasts/1?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(404, NotFound);
        Assert.Equal(1, await app.DbAsync(db => db.Broadcasts.CountAsync()));
    }

    [Theory, Providers]
    public async Task GetBroadcastStats_NotSentYet_ReturnsHonestZeros(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await BroadcastsApiTests.CreateAsync(app, account, new { subject = "Draft" });

        var response = await app.Http.GetAsync($"/v3/broadcasts/1/stats?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """
            {"broadcast":{"id":1,"stats":{"recipients":0,"open_rate":0.0,"click_rate":0.0,"unsubscribes":0,"total_clicks":0,
             "show_total_clicks":false,"status":"draft","progress":0.0}}}
            """);
        // Kit's floats: 0.0, not 0.
        Assert.Contains("\"open_rate\":0.0,", await response.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task GetBroadcastStats_CompletedWithActivity_ComputesRatesFromRecipients(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var t = MailroomApp.Start.UtcDateTime;
        await ArrangeSentAsync(app, account, "completed",
            new BroadcastRecipient { SentAt = t, OpenedAt = t, ClickedAt = t, Clicks = 3 },
            new BroadcastRecipient { SentAt = t, OpenedAt = t, ClickedAt = t, Clicks = 1, UnsubscribedAt = t },
            new BroadcastRecipient { SentAt = t, OpenedAt = t },
            new BroadcastRecipient { SentAt = t },
            new BroadcastRecipient { SentAt = t },
            new BroadcastRecipient { FailedAt = t, LastError = "550 no such user" });

        var response = await app.Http.GetAsync($"/v3/broadcasts/1/stats?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """
            {"broadcast":{"id":1,"stats":{"recipients":6,"open_rate":50.0,"click_rate":33.33333333333333,"unsubscribes":1,
             "total_clicks":4,"show_total_clicks":false,"status":"completed","progress":100.0}}}
            """);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"open_rate\":50.0,", text);
        Assert.Contains("\"progress\":100.0}", text);
    }

    [Theory, Providers]
    public async Task GetBroadcastStats_Sending_ReportsProgressSoFar(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var t = MailroomApp.Start.UtcDateTime;
        await ArrangeSentAsync(app, account, "sending",
            new BroadcastRecipient { SentAt = t, OpenedAt = t }, new BroadcastRecipient(), new BroadcastRecipient());

        var response = await app.Http.GetAsync($"/v3/broadcasts/1/stats?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """
            {"broadcast":{"id":1,"stats":{"recipients":3,"open_rate":33.33333333333333,"click_rate":0.0,"unsubscribes":0,
             "total_clicks":0,"show_total_clicks":false,"status":"sending","progress":33.33333333333333}}}
            """);
    }

    // One broadcast in the given status with one recipient row per template, each for its own subscriber.
    static Task ArrangeSentAsync(MailroomApp app, TestAccount account, string status, params BroadcastRecipient[] recipients) =>
        app.DbAsync(async db =>
        {
            var t = MailroomApp.Start.UtcDateTime;
            var broadcast = new Broadcast { AccountId = account.Id, Subject = "Sent", Status = status, CreatedAt = t, UpdatedAt = t };
            db.Broadcasts.Add(broadcast);
            var subscribers = recipients.Select((_, i) => new Subscriber
            {
                AccountId = account.Id, EmailAddress = $"r{i}@example.com", NormalizedEmail = $"r{i}@example.com", CreatedAt = t, UpdatedAt = t,
            }).ToList();
            db.Subscribers.AddRange(subscribers);
            await db.SaveChangesAsync();
            for (var i = 0; i < recipients.Length; i++)
            {
                recipients[i].AccountId = account.Id;
                recipients[i].BroadcastId = broadcast.Id;
                recipients[i].SubscriberId = subscribers[i].Id;
                recipients[i].Token = $"tok{i}";
            }
            db.BroadcastRecipients.AddRange(recipients);
            await db.SaveChangesAsync();
        });

    static Task<string> StatusAsync(MailroomApp app) => app.DbAsync(db => db.Broadcasts.Select(b => b.Status).SingleAsync());
}
