using Mailroom.Data;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Sequences;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V4.MembershipArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/sequences/{id}/emails over the sequence engine, and an email made here going out through the real scheduler.</summary>
public sealed class SequenceEmailsTests
{
    static async Task<(MailroomApp App, TestAccount Account, V4Client Client, long Sequence)> ArrangeAsync(MailroomApp app)
    {
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var sequence = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Course", email_address = "course@acme.test" }))["sequence"]!["id"]!.GetValue<long>();
        return (app, account, client, sequence);
    }

    static object Email(string subject, int delay = 1, string unit = "days", int? position = null) =>
        new { subject, delay_value = delay, delay_unit = unit, preview_text = "Preview", content = $"<p>{subject}</p>", position };

    [Theory, Providers]
    public async Task CreateSequenceEmail_Returns201_DraftAppendedWithAllDays(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (app, account, client, sequence) = await ArrangeAsync(started);
        var layout = await app.AddLayoutAsync(account.Id);

        var first = await client.PostAsync($"/v4/sequences/{sequence}/emails",
            new { subject = "Welcome to the sequence", delay_value = 0, delay_unit = "days", preview_text = "Hi", content = "<p>Welcome!</p>", email_template_id = layout.Id }, 201);
        var second = await client.PostAsync($"/v4/sequences/{sequence}/emails", new { subject = "Day two", delay_value = 1, delay_unit = "days", preview_text = "", content = "" }, 201);

        var id = first["email"]!["id"]!.GetValue<long>();
        AssertJson($$"""
            {"email":{"id":{{id}},"sequence_id":{{sequence}},"subject":"Welcome to the sequence","preview_text":"Hi","email_address":"course@acme.test",
             "email_template_id":{{layout.Id}},"published":false,"position":0,"delay_value":0,"delay_unit":"days",
             "send_days":["monday","tuesday","wednesday","thursday","friday","saturday","sunday"],"content":"<p>Welcome!</p>"} }
            """, first);
        Assert.Equal(1, second["email"]!["position"]!.GetValue<int>());
        AssertJson("{\"email\":" + first["email"]!.ToJsonString() + "}", await client.GetAsync($"/v4/sequences/{sequence}/emails/{id}"));
        Assert.Equal(2, (await client.GetAsync($"/v4/sequences/{sequence}"))["sequence"]!["email_count"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task CreateSequenceEmail_HourDelay_SendDaysNull(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (_, _, client, sequence) = await ArrangeAsync(started);

        // The document's schemas type send_days as an array, yet Kit says hour emails "always return send_days as null".
        var created = await client.RawAsync(HttpMethod.Post, $"/v4/sequences/{sequence}/emails", 201, Email("Soon", 3, "hours"));

        Assert.Equal("hours", created["email"]!["delay_unit"]!.GetValue<string>());
        Assert.Null(created["email"]!["send_days"]);
        Assert.True(created["email"]!.AsObject().ContainsKey("send_days"));
    }

    [Theory, Providers]
    public async Task CreateSequenceEmail_BadInput_Returns422WithTheEnginesMessages(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (app, _, client, sequence) = await ArrangeAsync(started);
        var url = $"/v4/sequences/{sequence}/emails";
        await client.PostAsync(url, Email("First", 0, position: 0), 201);

        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = " ", delay_value = 1, delay_unit = "days" }, V4Error.SubjectBlank);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { delay_value = 1, delay_unit = "days" }, V4Error.SubjectBlank);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = "S", delay_value = 1, delay_unit = "weeks" }, V4Error.DelayUnitInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = "S", delay_value = 1 }, V4Error.DelayUnitInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = "S", delay_unit = "days" }, SequenceRules.DelayValueRange);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, Email("Taken", position: 0), SequenceRules.PositionTaken);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, Email("Now too", 0), SequenceRules.OnlyFirstImmediate);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422,
            new { subject = "S", delay_value = 2, delay_unit = "hours", send_days = new[] { "monday" } }, SequenceRules.SendDaysOnHours);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = "S", delay_value = 1, delay_unit = "days", send_days = new[] { "someday" } }, SequenceRules.SendDaysInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, url, 422, new { subject = "S", delay_value = 1, delay_unit = "days", email_template_id = 999 }, SequenceRules.EmailTemplateNotFound);
        await client.AssertErrorAsync(HttpMethod.Post, url, 400, new { subject = "S", delay_value = "one", delay_unit = "days" }, "delay_value must be an integer");

        Assert.Equal(1, await app.DbAsync(db => db.SequenceEmails.CountAsync()));
    }

    [Theory, Providers]
    public async Task SequenceEmails_OtherAccountsOrUnknownIds_Return404(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (app, _, client, sequence) = await ArrangeAsync(started);
        var (_, otherClient) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var theirs = (await otherClient.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Theirs" }))["sequence"]!["id"]!.GetValue<long>();
        var theirEmail = (await otherClient.PostAsync($"/v4/sequences/{theirs}/emails", Email("Theirs"), 201))["email"]!["id"]!.GetValue<long>();
        var other = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Mine too" }))["sequence"]!["id"]!.GetValue<long>();
        var mine = (await client.PostAsync($"/v4/sequences/{other}/emails", Email("Mine"), 201))["email"]!["id"]!.GetValue<long>();

        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{theirs}/emails", 404, null, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{theirs}/emails", 404, Email("X"), V4Error.NotFoundMessage);
        // An email is reached only through its own sequence.
        foreach (var url in new[] { $"/v4/sequences/{theirs}/emails/{theirEmail}", $"/v4/sequences/{sequence}/emails/{mine}", $"/v4/sequences/{sequence}/emails/999999" })
        {
            await client.AssertErrorAsync(HttpMethod.Get, url, 404, null, V4Error.NotFoundMessage);
            await client.AssertErrorAsync(HttpMethod.Put, url, 404, new { subject = "Hijacked" }, V4Error.NotFoundMessage);
            await client.AssertErrorAsync(HttpMethod.Delete, url, 404, null, V4Error.NotFoundMessage);
        }
        Assert.DoesNotContain("Hijacked", await app.DbAsync(db => db.SequenceEmails.Select(e => e.Subject).ToListAsync()));
        Assert.Equal(2, await app.DbAsync(db => db.SequenceEmails.CountAsync()));
    }

    [Theory, Providers]
    public async Task ListSequenceEmails_InPositionOrder_ContentAndStatsOnlyWhenAsked(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (_, _, client, sequence) = await ArrangeAsync(started);
        var url = $"/v4/sequences/{sequence}/emails";
        var late = (await client.PostAsync(url, Email("Late", position: 5), 201))["email"]!["id"]!.GetValue<long>();
        var early = (await client.PostAsync(url, Email("Early", position: 1), 201))["email"]!["id"]!.GetValue<long>();
        var last = (await client.PostAsync(url, Email("Appended"), 201))["email"]!;

        var plain = await client.GetAsync(url);
        var withContent = await client.GetAsync($"{url}?include_content=true");
        var withStats = await client.GetAsync($"{url}?include=stats");
        var page = await client.GetAsync($"{url}?per_page=2");
        var next = await client.GetAsync($"{url}?per_page=2&after={page["pagination"]!["end_cursor"]}");

        Assert.Equal(6, last["position"]!.GetValue<int>());
        Assert.Equal([early, late, last["id"]!.GetValue<long>()], plain.Ids("emails"));
        Assert.False(plain["emails"]![0]!.AsObject().ContainsKey("content"));
        Assert.False(plain["emails"]![0]!.AsObject().ContainsKey("stats"));
        Assert.Equal("<p>Early</p>", withContent["emails"]![0]!["content"]!.GetValue<string>());
        AssertJson("""{"recipients":0,"emails_opened":0,"open_rate":0,"clicks":0,"click_rate":0,"unsubscribes":0,"unsubscribe_rate":0,"bounces":0}""",
            withStats["emails"]![0]!["stats"]);
        Assert.Equal([early, late], page.Ids("emails"));
        Assert.Equal([last["id"]!.GetValue<long>()], next.Ids("emails"));
    }

    [Theory, Providers]
    public async Task UpdateSequenceEmail_ChangesOnlyTheGivenFields_AndSendDaysNullResets(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (_, _, client, sequence) = await ArrangeAsync(started);
        var url = $"/v4/sequences/{sequence}/emails";
        var id = (await client.PostAsync(url, Email("Original"), 201))["email"]!["id"]!.GetValue<long>();
        await client.PostAsync(url, Email("Other", position: 4), 201);

        var updated = await client.PutAsync($"{url}/{id}", new { subject = "Updated subject", published = true, delay_value = 3, send_days = new[] { "friday", "monday" } });
        var reset = await client.PutAsync($"{url}/{id}", new { send_days = (string[]?)null });

        AssertJson($$"""
            {"email":{"id":{{id}},"sequence_id":{{sequence}},"subject":"Updated subject","preview_text":"Preview","email_address":"course@acme.test",
             "email_template_id":null,"published":true,"position":0,"delay_value":3,"delay_unit":"days","send_days":["monday","friday"],"content":"<p>Original</p>"} }
            """, updated);
        Assert.Equal(7, reset["email"]!["send_days"]!.AsArray().Count);
        await client.AssertErrorAsync(HttpMethod.Put, $"{url}/{id}", 422, new { delay_unit = "fortnights" }, V4Error.DelayUnitInvalid);
        await client.AssertErrorAsync(HttpMethod.Put, $"{url}/{id}", 422, new { subject = "" }, V4Error.SubjectBlank);
        await client.AssertErrorAsync(HttpMethod.Put, $"{url}/{id}", 422, new { position = 4 }, SequenceRules.PositionTaken);
        await client.RawAsync(HttpMethod.Put, $"{url}/{id}", 200, new { delay_unit = "hours" });
        await client.AssertErrorAsync(HttpMethod.Put, $"{url}/{id}", 422, new { send_days = new[] { "monday" } }, SequenceRules.SendDaysOnHours);
        Assert.Equal("Updated subject", (await client.RawAsync(HttpMethod.Get, $"{url}/{id}", 200))["email"]!["subject"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task CreateSequenceEmail_HostileHtml_StoredVerbatim_ReturnedJsonEscaped(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (app, _, client, sequence) = await ArrangeAsync(started);
        const string html = "  <img src=x onerror=\"alert(1)\"></p>&amp;  ";

        var id = (await client.PostAsync($"/v4/sequences/{sequence}/emails",
            new { subject = "S", delay_value = 1, delay_unit = "days", preview_text = "P", content = html }, 201))["email"]!["id"]!.GetValue<long>();
        using var response = await client.SendAsync(HttpMethod.Get, $"/v4/sequences/{sequence}/emails/{id}");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(html, await app.DbAsync(db => db.SequenceEmails.Select(e => e.Content).SingleAsync()));
        Assert.DoesNotContain("<img", text);
        Assert.Equal(html, System.Text.Json.Nodes.JsonNode.Parse(text)!["email"]!["content"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task DeleteSequenceEmail_Returns204_ThenGone(string provider)
    {
        await using var started = await MailroomApp.StartAsync(provider);
        var (app, _, client, sequence) = await ArrangeAsync(started);
        var id = (await client.PostAsync($"/v4/sequences/{sequence}/emails", Email("Bye"), 201))["email"]!["id"]!.GetValue<long>();

        await client.DeleteAsync($"/v4/sequences/{sequence}/emails/{id}");

        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{sequence}/emails/{id}", 404, null, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/sequences/{sequence}/emails/{id}", 404, null, V4Error.NotFoundMessage);
        Assert.Equal(0, await app.DbAsync(db => db.SequenceEmails.CountAsync()));
    }

    [Theory, Providers]
    public async Task SequenceEmailMadeThroughV4_IsSentByTheScheduler_ToASubscriberAddedThroughV4(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var sequence = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Course", email_address = "course@acme.test" }))["sequence"]!["id"]!.GetValue<long>();
        var url = $"/v4/sequences/{sequence}/emails";
        await client.PostAsync(url, new { subject = "Welcome {{ subscriber.first_name }}", delay_value = 0, delay_unit = "days", preview_text = "P", content = "<p>Hi</p>", published = true }, 201);
        await client.RawAsync(HttpMethod.Post, url, 201, new { subject = "Draft", delay_value = 1, delay_unit = "hours", preview_text = "P", content = "<p>Not yet</p>" });
        await app.AddSubscriberAsync(account.Id, "ann@example.com", firstName: "Ann");
        await client.PostAsync($"/v4/sequences/{sequence}/subscribers", new { email_address = "ann@example.com" }, 201);

        await app.StepAsync();
        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.StepAsync();

        var message = Assert.Single(sink.To("ann@example.com"));
        Assert.Equal("Welcome Ann", message.Subject);
        Assert.Equal("course@acme.test", message.From.Mailboxes.Single().Address);
        // Raw: the draft is an hour email, whose send_days null the list schema does not allow.
        var stats = await client.RawAsync(HttpMethod.Get, $"{url}?include=stats", 200);
        Assert.Equal(1, stats["emails"]![0]!["stats"]!["recipients"]!.GetValue<int>());
        Assert.Equal(0, stats["emails"]![1]!["stats"]!["recipients"]!.GetValue<int>());
    }
}
