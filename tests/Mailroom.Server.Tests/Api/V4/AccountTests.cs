using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>GET /v4/account, colors, creator_profile, email_stats and growth_stats.</summary>
public sealed class AccountTests
{
    static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nActual   {actual?.ToJsonString()}");

    [Theory, Providers]
    public async Task GetAccount_ReturnsUserAccountZoneAndSendingAddress(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app, "Kit <b>Greetings</b>", "test@kit.dev");
        await app.DbAsync(db => db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.TimeZone, "America/New_York").SetProperty(a => a.SendingEmailAddress, "joe@ck.lol")));

        var body = await client.GetAsync("/v4/account");

        // 2024-05-01 is in daylight saving time in New York.
        AssertJson($$"""
            {"user":{"email":"test@kit.dev","id":{{account.Id}}},
             "account":{"id":{{account.Id}},"name":"Kit <b>Greetings</b>","plan_type":"creator","primary_email_address":"test@kit.dev",
              "created_at":"2024-05-01T10:00:00Z",
              "timezone":{"name":"America/New_York","friendly_name":"Eastern Time (US & Canada)","utc_offset":"-04:00"},
              "sending_addresses":[{"email_address":"joe@ck.lol","from_name":"Kit <b>Greetings</b>","status":"active","is_default":true,"is_verified":true,"is_dmarc_configured":false}]} }
            """, body);
        // Stored verbatim, written JSON-escaped.
        var raw = await (await client.SendAsync(HttpMethod.Get, "/v4/account")).Content.ReadAsStringAsync();
        Assert.Contains("Kit \\u003Cb\\u003EGreetings", raw);
    }

    [Theory, Providers]
    public async Task GetAccount_ZoneUtcAndNoSendingAddress_UsesPrimary_AndUnknownCredentialIs401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var body = await client.GetAsync("/v4/account");
        AssertJson("""{"name":"UTC","friendly_name":"UTC","utc_offset":"+00:00"}""", body["account"]!["timezone"]);
        Assert.Equal("owner@acme.test", body["account"]!["sending_addresses"]![0]!["email_address"]!.GetValue<string>());
        foreach (var url in new[] { "/v4/account", "/v4/account/colors", "/v4/account/creator_profile", "/v4/account/email_stats", "/v4/account/growth_stats" })
            await new V4Client(app, "kit_wrong").AssertErrorAsync(HttpMethod.Get, url, 401, null, "The access token is invalid");
        await new V4Client(app).AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 401, new { colors = new[] { "#000000" } }, "The access token is invalid");
    }

    [Theory, Providers]
    public async Task Colors_EmptyAtFirst_UpdateReplacesThem_PerAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, acme) = await V4Client.ForNewAccountAsync(app);
        var (_, globex) = await V4Client.ForNewAccountAsync(app, "Globex", "owner@globex.test");

        AssertJson("""{"colors":[]}""", await acme.GetAsync("/v4/account/colors"));
        AssertJson("""{"colors":["#000000","#ffffff","#F0a"]}""", await acme.PutAsync("/v4/account/colors", new { colors = new[] { "#000000", " #ffffff ", "#F0a" } }));
        AssertJson("""{"colors":["#000000","#ffffff","#F0a"]}""", await acme.GetAsync("/v4/account/colors"));
        AssertJson("""{"colors":[]}""", await globex.GetAsync("/v4/account/colors"));
        AssertJson("""{"colors":[]}""", await acme.PutAsync("/v4/account/colors", new { colors = Array.Empty<string>() }));
    }

    [Theory, Providers]
    public async Task UpdateColors_BadInput_Is422WithKitsMessage_AndChangesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        await client.PutAsync("/v4/account/colors", new { colors = new[] { "#123456" } });

        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { colors = new[] { "#123_not_a_code", "#000000" } },
            "Colors #123_not_a_code is not a valid hex color code.");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { colors = new[] { "<script>", "red" } },
            "Colors <script> is not a valid hex color code.", "Colors red is not a valid hex color code.");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { colors = Enumerable.Repeat("#000000", 11) },
            "Colors can have at most 10 entries");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { }, "Colors must be an array of hex color codes");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { colors = "#000000" }, "Colors must be an array of hex color codes");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/account/colors", 422, new { colors = new object[] { 12 } }, "Colors must be an array of hex color codes");
        AssertJson("""{"colors":["#123456"]}""", await client.GetAsync("/v4/account/colors"));
    }

    [Theory, Providers]
    public async Task CreatorProfile_404UntilTheCliSetsIt_ThenReturnsItEscaped(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/account/creator_profile", 404, null, "Not Found");

        var set = await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--profile-name", "A Creator's <Journey>",
            "--profile-byline", "A Creator", "--profile-image-url", "https://convertkit.dev/image.jpg");
        set.AssertSuccess();
        AssertJson("""
            {"profile":{"name":"A Creator's <Journey>","byline":"A Creator","bio":"","image_url":"https://convertkit.dev/image.jpg","profile_url":"http://mailroom.test"}}
            """, await client.GetAsync("/v4/account/creator_profile"));
        var raw = await (await client.SendAsync(HttpMethod.Get, "/v4/account/creator_profile")).Content.ReadAsStringAsync();
        Assert.Contains("\\u003CJourney\\u003E", raw);

        // Only the options given change.
        (await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--profile-bio", "Follow my Journey")).AssertSuccess();
        var profile = (await client.GetAsync("/v4/account/creator_profile"))["profile"]!;
        Assert.Equal(("A Creator's <Journey>", "Follow my Journey"), (profile["name"]!.GetValue<string>(), profile["bio"]!.GetValue<string>()));
    }

    [Theory, Providers]
    public async Task AccountsUpdateCli_BadProfileOptions_FailWithOneLine(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var badUrl = await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--profile-image-url", "javascript:alert(1)");
        var tooLong = await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--profile-bio", new string('x', 2001));
        var nothing = await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString());
        badUrl.AssertFailure(1, "error: --profile-image-url 'javascript:alert(1)' is not an http or https URL");
        tooLong.AssertFailure(1, "error: --profile-bio is longer than 2000 characters");
        nothing.AssertFailure(1, "error: nothing to change: give --name, --time-zone, --sending-address or a --profile-* option");
        Assert.Null(await app.DbAsync(db => db.Accounts.Where(a => a.Id == account.Id).Select(a => a.CreatorProfile).SingleAsync()));
    }

    [Theory, Providers]
    public async Task EmailStats_CountsBroadcastAndSequenceMessagesOfTheLast90Days(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Globex", "owner@globex.test");
        var now = MailroomApp.Start.UtcDateTime;
        await app.DbAsync(async db =>
        {
            var subscriber = new Subscriber { AccountId = account.Id, EmailAddress = "a@example.com", NormalizedEmail = "a@example.com", CreatedAt = now, UpdatedAt = now };
            var stranger = new Subscriber { AccountId = other.Id, EmailAddress = "b@example.com", NormalizedEmail = "b@example.com", CreatedAt = now, UpdatedAt = now };
            db.AddRange(subscriber, stranger);
            var broadcast = new Broadcast { AccountId = account.Id, CreatedAt = now, UpdatedAt = now };
            var theirs = new Broadcast { AccountId = other.Id, CreatedAt = now, UpdatedAt = now };
            var sequence = new Sequence { AccountId = account.Id, Name = "Welcome", CreatedAt = now, UpdatedAt = now };
            db.AddRange(broadcast, theirs, sequence);
            await db.SaveChangesAsync();
            // One recipient row per subscriber and broadcast, so each row gets its own subscriber.
            var mine = Enumerable.Range(0, 6).Select(i => new Subscriber { AccountId = account.Id, EmailAddress = $"r{i}@example.com", NormalizedEmail = $"r{i}@example.com", CreatedAt = now, UpdatedAt = now }).ToList();
            db.Subscribers.AddRange(mine);
            await db.SaveChangesAsync();
            BroadcastRecipient R(Broadcast b, Subscriber s, int daysAgo, bool opened = false, bool clicked = false, bool unsubscribed = false, bool bounced = false) => new()
            {
                AccountId = b.AccountId, BroadcastId = b.Id, SubscriberId = s.Id, Token = Guid.NewGuid().ToString("N"), SentAt = now.AddDays(-daysAgo),
                OpenedAt = opened ? now : null, ClickedAt = clicked ? now : null, UnsubscribedAt = unsubscribed ? now : null, Bounced = bounced,
            };
            db.BroadcastRecipients.AddRange(R(broadcast, mine[0], 1, opened: true, clicked: true), R(broadcast, mine[1], 2, opened: true),
                R(broadcast, mine[2], 3, opened: true, unsubscribed: true), R(broadcast, mine[3], 89, bounced: true),
                R(broadcast, mine[4], 91, opened: true), R(theirs, stranger, 1, opened: true));
            db.BroadcastRecipients.Add(new BroadcastRecipient { AccountId = account.Id, BroadcastId = broadcast.Id, SubscriberId = mine[5].Id, Token = "unsent" });
            db.SequenceDeliveries.AddRange(
                new SequenceDelivery { AccountId = account.Id, SequenceId = sequence.Id, SubscriberId = subscriber.Id, Token = "s1", DueAt = now, SentAt = now.AddDays(-5), OpenedAt = now, ClickedAt = now },
                new SequenceDelivery { AccountId = account.Id, SequenceId = sequence.Id, SubscriberId = subscriber.Id, Token = "s2", DueAt = now, SentAt = now.AddDays(-6), OpenedAt = now });
            await db.SaveChangesAsync();
        });

        AssertJson("""
            {"stats":{"sent":6,"clicked":2,"opened":5,"email_stats_mode":"last_90","open_tracking_enabled":true,"click_tracking_enabled":true,
              "starting":"2024-02-01T10:00:00Z","ending":"2024-05-01T10:00:00Z","open_rate":83.33,"click_rate":33.33,"unsubscribe_rate":16.67,"bounce_rate":16.67}}
            """, await client.GetAsync("/v4/account/email_stats"));
    }

    [Theory, Providers]
    public async Task EmailStats_NothingSent_ZeroRates(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var stats = (await client.GetAsync("/v4/account/email_stats"))["stats"]!;
        Assert.Equal((0, 0.0, 0.0), (stats["sent"]!.GetValue<int>(), stats["open_rate"]!.GetValue<double>(), stats["bounce_rate"]!.GetValue<double>()));
    }

    [Theory, Providers]
    public async Task GrowthStats_CountsNewAndCancelledInTheWindow_InTheAccountZone(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.DbAsync(db => db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TimeZone, "America/New_York")));
        // Window 2024-04-10 .. 2024-04-20 New York = 04:00Z on the 10th to 03:59:59Z on the 21st.
        var day = new DateTime(2024, 4, 10, 4, 0, 0, DateTimeKind.Utc);
        await app.AddSubscriberAsync(account.Id, "before@example.com", createdAt: day.AddSeconds(-1));
        await app.AddSubscriberAsync(account.Id, "first@example.com", createdAt: day);
        await app.AddSubscriberAsync(account.Id, "left@example.com", createdAt: day.AddDays(2), cancelledAt: day.AddDays(3), state: "cancelled");
        await app.AddSubscriberAsync(account.Id, "oldleft@example.com", createdAt: day.AddDays(-30), cancelledAt: day.AddDays(5), state: "cancelled");
        await app.AddSubscriberAsync(account.Id, "last@example.com", createdAt: day.AddDays(11).AddSeconds(-1));
        await app.AddSubscriberAsync(account.Id, "after@example.com", createdAt: day.AddDays(11));
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Globex", "owner@globex.test");

        AssertJson("""
            {"stats":{"cancellations":2,"net_new_subscribers":1,"new_subscribers":3,"subscribers":3,
              "starting":"2024-04-10T00:00:00-04:00","ending":"2024-04-20T23:59:59-04:00"}}
            """, await client.GetAsync("/v4/account/growth_stats?starting=2024-04-10&ending=2024-04-20"));
        Assert.Equal(0, (await other.GetAsync("/v4/account/growth_stats?starting=2024-04-10&ending=2024-04-20"))["stats"]!["new_subscribers"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task GrowthStats_Defaults_Last90DaysToToday(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var stats = (await client.GetAsync("/v4/account/growth_stats"))["stats"]!;
        Assert.Equal(("2024-02-01T00:00:00+00:00", "2024-05-01T23:59:59+00:00"), (stats["starting"]!.GetValue<string>(), stats["ending"]!.GetValue<string>()));
        Assert.Equal(0, (await client.GetAsync("/v4/account/growth_stats?starting=2024-05-01&ending=2024-05-01"))["stats"]!["subscribers"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task GrowthStats_BadDates_Are422WithKitsMessages(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/account/growth_stats?starting=02/10/2023&ending=yesterday", 422, null,
            "Starting date is incorrectly formatted. Use YYYY-MM-DD.", "Ending date is incorrectly formatted. Use YYYY-MM-DD.");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/account/growth_stats?starting=2023-02-30", 422, null,
            "Starting date is incorrectly formatted. Use YYYY-MM-DD.");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/account/growth_stats?starting=2023-02-10&ending=2023-02-09", 422, null,
            "Starting date must be before the ending date.");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/account/growth_stats?ending=%3Cscript%3E", 422, null,
            "Ending date is incorrectly formatted. Use YYYY-MM-DD.");
    }
}
