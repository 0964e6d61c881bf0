using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V4.MembershipArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/sequences: settings over the sequence engine, its subscribers, and the same data through v3.</summary>
public sealed class SequencesTests
{
    static object FullBody(long templateId) => new
    {
        name = "Full Series", email_address = "course@acme.test", email_template_id = templateId,
        send_days = new[] { "monday", "wednesday", "friday" }, send_hour = 9, time_zone = "America/Los_Angeles",
        active = true, repeat = true, hold = true,
        exclude_subscriber_sources = new object[] { new { type = "tag", ids = new[] { 2 } }, new { type = "sequence", ids = new[] { 29 } } },
    };

    [Theory, Providers]
    public async Task CreateSequence_EveryField_Returns201AndGetReturnsTheSame(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var layout = await app.AddLayoutAsync(account.Id);

        var created = await client.PostAsync("/v4/sequences", FullBody(layout.Id), 201);
        var id = created["sequence"]!["id"]!.GetValue<long>();

        var expected = $$"""
            {"sequence":{"id":{{id}},"name":"Full Series","hold":true,"repeat":true,"created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:00:00Z",
             "email_address":"course@acme.test","email_template_id":{{layout.Id}},"send_days":["monday","wednesday","friday"],"send_hour":9,
             "time_zone":"America/Los_Angeles","active":true,"exclude_subscriber_sources":[{"type":"tag","ids":[2]},{"type":"sequence","ids":[29]}],
             "email_count":0,"subscriber_count":0} }
            """;
        AssertJson(expected, created);
        AssertJson(expected, await client.GetAsync($"/v4/sequences/{id}"));
    }

    [Theory, Providers]
    public async Task CreateSequence_NameOnly_TakesTheDefaults(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        // The document's 201 schema types email_template_id as an integer; with no template it is null, as GET's schema allows.
        var created = await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Welcome" }, ("GET", "/v4/sequences/1", 200));

        var s = created["sequence"]!;
        // The account's sending address and zone; all seven days; the engine's send hour (9, see SequencesEndpoints).
        Assert.Equal("owner@acme.test", s["email_address"]!.GetValue<string>());
        Assert.Null(s["email_template_id"]);
        Assert.Equal("UTC", s["time_zone"]!.GetValue<string>());
        Assert.Equal(9, s["send_hour"]!.GetValue<int>());
        Assert.Equal(7, s["send_days"]!.AsArray().Count);
        Assert.Equal((true, false, false), (s["active"]!.GetValue<bool>(), s["hold"]!.GetValue<bool>(), s["repeat"]!.GetValue<bool>()));
        Assert.Empty(s["exclude_subscriber_sources"]!.AsArray());
    }

    [Theory, Providers]
    public async Task CreateSequence_BadInput_Returns422WithKitsMessages(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var foreignLayout = await app.AddLayoutAsync(other.Id);

        foreach (var hour in new object[] { 24, -1, "9", 9.5, true })
            await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", send_hour = hour }, V4Error.SendHourInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { }, V4Error.NameBlankLower);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "   " }, V4Error.NameBlankLower);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", time_zone = "Mars/Olympus_Mons" }, SequenceRules.TimeZoneInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", send_days = new[] { "funday" } }, SequenceRules.SendDaysInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", send_days = "monday" }, SequenceRules.SendDaysInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", exclude_subscriber_sources = "tag" }, SequenceRules.ExcludeTypeInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422,
            new { name = "S", exclude_subscriber_sources = new[] { new { type = "list", ids = new[] { 1 } } } }, SequenceRules.ExcludeTypeInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422,
            new { name = "S", exclude_subscriber_sources = new[] { new { type = "tag", ids = "x" } } }, SequenceRules.ExcludeIdsInvalid);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", email_template_id = foreignLayout.Id }, SequenceRules.EmailTemplateNotFound);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 422, new { name = "S", email_address = "not an address" }, SequenceRules.EmailAddressInvalid);
        Assert.Equal(0, await app.DbAsync(db => db.Sequences.IgnoreQueryFilters().CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateSequence_HostileHtmlName_StoredVerbatimAndReturnedJsonEscaped(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        const string name = "<script>alert('x')</script>&\"";

        using var response = await client.SendAsync(HttpMethod.Post, "/v4/sequences", new { name });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"name\":\"\\u003Cscript\\u003Ealert(\\u0027x\\u0027)\\u003C/script\\u003E\\u0026\\u0022\"", text);
        Assert.Equal(name, await app.DbAsync(db => db.Sequences.Select(s => s.Name).SingleAsync()));
    }

    [Theory, Providers]
    public async Task ListSequences_NewestFirst_PagedAndOnlyTheAccountsLiveOnes(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, otherClient) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var ids = new List<long>();
        foreach (var name in new[] { "A", "B", "C" })
            ids.Add((await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name }))["sequence"]!["id"]!.GetValue<long>());
        await otherClient.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Theirs" });
        await client.DeleteAsync($"/v4/sequences/{ids[1]}");

        var all = await client.GetAsync("/v4/sequences?include_total_count=true");
        var first = await client.GetAsync("/v4/sequences?per_page=1");
        var second = await client.GetAsync($"/v4/sequences?per_page=1&after={first["pagination"]!["end_cursor"]}");

        Assert.Equal([ids[2], ids[0]], all.Ids("sequences"));
        Assert.Equal(2, all["pagination"]!["total_count"]!.GetValue<int>());
        Assert.Equal([ids[2]], first.Ids("sequences"));
        Assert.True(first["pagination"]!["has_next_page"]!.GetValue<bool>());
        Assert.Equal([ids[0]], second.Ids("sequences"));
        Assert.False(second["pagination"]!["has_next_page"]!.GetValue<bool>());
        Assert.Null(all["sequences"]![0]!["stats"]);
    }

    [Theory, Providers]
    public async Task GetSequence_UnknownDeletedOrOtherAccounts_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, otherClient) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var theirs = (await otherClient.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Theirs" }))["sequence"]!["id"]!.GetValue<long>();
        var mine = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Mine" }))["sequence"]!["id"]!.GetValue<long>();
        await client.DeleteAsync($"/v4/sequences/{mine}");

        foreach (var id in new[] { theirs, mine, 999_999 })
        {
            await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{id}", 404, null, V4Error.NotFoundMessage);
            await client.AssertErrorAsync(HttpMethod.Put, $"/v4/sequences/{id}", 404, new { name = "X" }, V4Error.NotFoundMessage);
            await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/sequences/{id}", 404, null, V4Error.NotFoundMessage);
        }
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/sequences/abc", 404, null, V4Error.NotFoundMessage);
        Assert.Equal("Theirs", await app.DbAsync(db => db.Sequences.Where(s => s.Id == theirs).Select(s => s.Name).SingleAsync()));
    }

    [Theory, Providers]
    public async Task UpdateSequence_ChangesOnlyTheGivenFields(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var layout = await app.AddLayoutAsync(account.Id);
        var id = (await client.PostAsync("/v4/sequences", FullBody(layout.Id), 201))["sequence"]!["id"]!.GetValue<long>();
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var updated = await client.PutAsync($"/v4/sequences/{id}", new { name = "New Name", send_days = new[] { "tuesday", "thursday" }, active = false });

        var expected = $$"""
            {"sequence":{"id":{{id}},"name":"New Name","hold":true,"repeat":true,"created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:05:00Z",
             "email_address":"course@acme.test","email_template_id":{{layout.Id}},"send_days":["tuesday","thursday"],"send_hour":9,
             "time_zone":"America/Los_Angeles","active":false,"exclude_subscriber_sources":[{"type":"tag","ids":[2]},{"type":"sequence","ids":[29]}],
             "email_count":0,"subscriber_count":0} }
            """;
        AssertJson(expected, updated);
        AssertJson(expected, await client.GetAsync($"/v4/sequences/{id}"));
    }

    [Theory, Providers]
    public async Task UpdateSequence_BadValues_Return422AndChangeNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var id = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Kept" }))["sequence"]!["id"]!.GetValue<long>();

        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/sequences/{id}", 422, new { name = "" }, V4Error.NameBlankLower);
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/sequences/{id}", 422, new { send_hour = 30 }, V4Error.SendHourInvalid);
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/sequences/{id}", 422, new { time_zone = "Nowhere" }, SequenceRules.TimeZoneInvalid);
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/sequences/{id}", 400, new { active = "maybe" }, "active must be true or false");

        var sequence = await app.DbAsync(db => db.Sequences.AsNoTracking().SingleAsync());
        Assert.Equal(("Kept", 9, null, true), (sequence.Name, sequence.SendHour, sequence.TimeZone, sequence.Active));
    }

    [Theory, Providers]
    public async Task DeleteSequence_SoftDeletes_GoneFromV4AndV3(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var id = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Doomed" }))["sequence"]!["id"]!.GetValue<long>();

        var v3Before = await (await app.Http.GetAsync($"/v3/sequences?api_key={account.ApiKey}")).Content.ReadAsStringAsync();
        await client.DeleteAsync($"/v4/sequences/{id}");
        var v3After = await (await app.Http.GetAsync($"/v3/sequences?api_key={account.ApiKey}")).Content.ReadAsStringAsync();

        Assert.Contains("Doomed", v3Before);
        Assert.Equal("""{"courses":[]}""", v3After);
        Assert.NotNull(await app.DbAsync(db => db.Sequences.IgnoreQueryFilters().Where(s => s.Id == id).Select(s => s.DeletedAt).SingleAsync()));
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/sequences/{id}", 404, null, V4Error.NotFoundMessage);
    }

    [Theory, Providers]
    public async Task AddSubscriberToSequenceByEmail_NewThenAgain_201Then200_OneCourseSubscribeEvent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var id = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Course" }))["sequence"]!["id"]!.GetValue<long>();
        var ann = await app.AddSubscriberAsync(account.Id, "Ann@Example.com", firstName: "Ann");
        app.Clock.Advance(TimeSpan.FromHours(1));

        var first = await client.PostAsync($"/v4/sequences/{id}/subscribers", new { email_address = "ann@example.com" }, 201);
        var again = await client.PostAsync($"/v4/sequences/{id}/subscribers", new { email_address = "ANN@example.com" }, 200);

        var expected = $$"""
            {"subscriber":{"id":{{ann.Id}},"first_name":"Ann","email_address":"Ann@Example.com","state":"active",
             "created_at":"2024-05-01T10:00:00Z","added_at":"2024-05-01T11:00:00Z","fields":{} } }
            """;
        AssertJson(expected, first);
        AssertJson(expected, again);
        Assert.Equal([("course_subscribe", ann.Id, id.ToString())], await app.OutboxAsync());
        // v3 sees the same membership.
        var v3 = JsonNode.Parse(await (await app.Http.GetAsync($"/v3/sequences/{id}/subscriptions?api_secret={account.ApiSecret}")).Content.ReadAsStringAsync())!;
        Assert.Equal(1, v3["total_subscriptions"]!.GetValue<int>());
        Assert.Equal(1, (await client.GetAsync($"/v4/sequences/{id}"))["sequence"]!["subscriber_count"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task AddSubscriberToSequence_ById_201Then200_AndUnknownOrForeignIds404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, otherClient) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var id = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Course" }))["sequence"]!["id"]!.GetValue<long>();
        var theirs = (await otherClient.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Theirs" }))["sequence"]!["id"]!.GetValue<long>();
        var bob = await app.AddSubscriberAsync(account.Id, "bob@example.com");
        var stranger = await app.AddSubscriberAsync(other.Id, "stranger@example.com");

        await client.PostAsync($"/v4/sequences/{id}/subscribers/{bob.Id}", new { }, 201);
        await client.PostAsync($"/v4/sequences/{id}/subscribers/{bob.Id}", new { }, 200);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers/{stranger.Id}", 404, new { }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers/999999", 404, new { }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{theirs}/subscribers/{bob.Id}", 404, new { }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers", 404, new { email_address = "stranger@example.com" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers", 404, new { email_address = "nobody@example.com" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers", 404, new { }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{theirs}/subscribers", 404, new { email_address = "bob@example.com" }, V4Error.NotFoundMessage);

        Assert.Equal([("course_subscribe", bob.Id, id.ToString())], await app.OutboxAsync());
        Assert.Single(await app.SubscriptionsAsync());
    }

    [Theory, Providers]
    public async Task AddSubscriberToSequence_Paused_Returns422SequenceIsInactive(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var id = (await client.RawAsync(HttpMethod.Post, "/v4/sequences", 201, new { name = "Paused", active = false }))["sequence"]!["id"]!.GetValue<long>();
        var ann = await app.AddSubscriberAsync(account.Id, "ann@example.com");

        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers", 422, new { email_address = "ann@example.com" }, V4Error.SequenceInactive);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/sequences/{id}/subscribers/{ann.Id}", 422, new { }, V4Error.SequenceInactive);

        Assert.Empty(await app.SubscriptionsAsync());
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task ListSequenceSubscribers_FiltersByStateAndDates_PagesBySubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.AddCustomFieldAsync(account.Id, "Category");
        var sequence = await app.AddSequenceAsync(account.Id);
        var old = await app.AddSubscriberAsync(account.Id, "old@example.com", createdAt: new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var fresh = await app.AddSubscriberAsync(account.Id, "fresh@example.com", firstName: "Fresh");
        var gone = await app.AddSubscriberAsync(account.Id, "gone@example.com", state: SubscriberStates.Cancelled);
        await app.AddSubscriptionAsync(old, SubscribableTypes.Course, sequence.Id, createdAt: new DateTime(2023, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        await app.AddSubscriptionAsync(fresh, SubscribableTypes.Course, sequence.Id);
        await app.AddSubscriptionAsync(gone, SubscribableTypes.Course, sequence.Id, SubscriptionStates.Cancelled);
        string Url(string query = "") => $"/v4/sequences/{sequence.Id}/subscribers{query}";

        var active = await client.GetAsync(Url());
        AssertJson($$"""
            {"subscribers":[
              {"id":{{fresh.Id}},"first_name":"Fresh","email_address":"fresh@example.com","state":"active","created_at":"2024-05-01T10:00:00Z","added_at":"2024-05-01T10:00:00Z","fields":{"category":null} },
              {"id":{{old.Id}},"first_name":null,"email_address":"old@example.com","state":"active","created_at":"2023-01-01T00:00:00Z","added_at":"2023-02-01T00:00:00Z","fields":{"category":null} }],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{V4Page.Cursor(fresh.Id)}}","end_cursor":"{{V4Page.Cursor(old.Id)}}","per_page":500} }
            """, active);
        Assert.Equal([gone.Id], (await client.GetAsync(Url("?status=cancelled"))).Ids("subscribers"));
        Assert.Equal([gone.Id, fresh.Id, old.Id], (await client.GetAsync(Url("?status=all"))).Ids("subscribers"));
        Assert.Equal([fresh.Id], (await client.GetAsync(Url("?added_after=2024-01-01"))).Ids("subscribers"));
        Assert.Equal([old.Id], (await client.GetAsync(Url("?added_before=2023-02-14T11:43:55Z"))).Ids("subscribers"));
        Assert.Equal([fresh.Id], (await client.GetAsync(Url("?created_after=2023-06-01"))).Ids("subscribers"));
        Assert.Equal([old.Id], (await client.GetAsync(Url("?created_before=2024-01-01"))).Ids("subscribers"));
        var page = await client.GetAsync(Url("?status=all&per_page=2&include_total_count=true"));
        Assert.Equal([gone.Id, fresh.Id], page.Ids("subscribers"));
        Assert.Equal(3, page["pagination"]!["total_count"]!.GetValue<int>());
        Assert.Equal([old.Id], (await client.GetAsync(Url($"?status=all&per_page=2&after={page["pagination"]!["end_cursor"]}"))).Ids("subscribers"));
    }

    [Theory, Providers]
    public async Task ListSequenceSubscribers_BadFiltersOrForeignSequence_422Or404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var mine = await app.AddSequenceAsync(account.Id);
        var theirs = await app.AddSequenceAsync(other.Id);

        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{mine.Id}/subscribers?status=zombie", 422, null,
            "status must be one of: active, inactive, bounced, complained, cancelled, all");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{mine.Id}/subscribers?added_after=yesterday", 422, null,
            "added_after is incorrectly formatted. Use YYYY-MM-DD.");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{mine.Id}/subscribers?after=garbage", 422, null, V4Error.CursorInvalid("after"));
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/sequences/{theirs.Id}/subscribers", 404, null, V4Error.NotFoundMessage);
    }

    [Theory, Providers]
    public async Task GetSequence_IncludeStats_CountsItsDeliveries(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var sequence = await app.AddSequenceAsync(account.Id);
        var email = await app.DbAsync(async db =>
        {
            var e = new SequenceEmail { AccountId = account.Id, SequenceId = sequence.Id, Subject = "E", Content = "<p>x</p>", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime };
            db.SequenceEmails.Add(e);
            await db.SaveChangesAsync();
            return e;
        });
        var ann = await app.AddSubscriberAsync(account.Id, "ann@example.com");
        var bob = await app.AddSubscriberAsync(account.Id, "bob@example.com");
        await app.DbAsync(async db =>
        {
            var now = MailroomApp.Start.UtcDateTime;
            db.SequenceDeliveries.Add(new SequenceDelivery { AccountId = account.Id, SequenceId = sequence.Id, SequenceEmailId = email.Id, SubscriberId = ann.Id, Token = "s1", DueAt = now, SentAt = now, OpenedAt = now, ClickedAt = now });
            db.SequenceDeliveries.Add(new SequenceDelivery { AccountId = account.Id, SequenceId = sequence.Id, SequenceEmailId = email.Id, SubscriberId = bob.Id, Token = "s2", DueAt = now, SentAt = now });
            await db.SaveChangesAsync();
        });

        var one = await client.GetAsync($"/v4/sequences/{sequence.Id}?include=stats");
        var list = await client.GetAsync("/v4/sequences?include=stats");

        const string stats = """{"recipients":2,"emails_opened":1,"open_rate":50.0,"clicks":1,"click_rate":50.0,"unsubscribes":0,"unsubscribe_rate":0,"bounces":0}""";
        AssertJson(stats, one["sequence"]!["stats"]);
        AssertJson(stats, list["sequences"]![0]!["stats"]);
        Assert.Equal(1, one["sequence"]!["email_count"]!.GetValue<int>());
        Assert.Null((await client.GetAsync($"/v4/sequences/{sequence.Id}"))["sequence"]!["stats"]);
    }
}
