using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed class SeedCommandTests
{
    static DateTime Utc(string iso) => DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    [Theory, Providers]
    public async Task Seed_ExampleFile_PrintsIdsAndKeys(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.RunAsync(app.Database, "seed", CliRunner.ExampleSeedFile);

        run.AssertSuccess();
        // One document on one line, in the documented property order.
        Assert.Single(run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("""{"accounts":[{"id":1,"name":"Acme Corp.","api_key":""", run.Output);
        var printed = JsonNode.Parse(run.Output)!;
        var account = printed["accounts"]![0]!.AsObject();
        var secret = (string)account["api_secret"]!;
        var key = (string)account["api_key"]!;
        account.Remove("api_key");
        account.Remove("api_secret");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"accounts":[{"id":1,"name":"Acme Corp.",
              "forms":{"A Form":1,"A Landing Page":2},
              "sequences":{"Welcome":1},
              "tags":{"House Stark":1,"House Lannister":2},
              "custom_fields":{"Last Name":{"id":1,"key":"last_name"},"Occupation":{"id":2,"key":"occupation"}},
              "subscribers":{"jon@example.com":1,"arya@example.com":2,"cersei@example.com":3,"sam@example.com":4},
              "broadcasts":{"Hello":1,"Next week":2},
              "purchases":{"123-abcd":1,"456-efgh":2},
              "webhooks":[1,2,3,4]}]}
            """), printed), printed.ToJsonString());

        await (await app.Http.GetAsync($"/v3/account?api_secret={secret}"))
            .AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""");
        await (await app.Http.GetAsync($"/v3/account?api_key={key}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }

    [Theory, Providers]
    public async Task Seed_ExampleFile_StoresEverythingUnderThePrintedIds(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        (await CliRunner.RunAsync(app.Database, "seed", CliRunner.ExampleSeedFile)).AssertSuccess();

        await app.DbAsync(async db =>
        {
            var account = await db.Accounts.SingleAsync();
            Assert.Equal((1L, "Acme Corp.", "creator", "owner@acme.test", (int?)120),
                (account.Id, account.Name, account.PlanType, account.PrimaryEmailAddress, account.RateLimitPerMinute));

            Assert.Equal(new[] { (1L, "Last Name", "last_name", "ck_field_1_last_name"), (2L, "Occupation", "occupation", "ck_field_2_occupation") },
                (await db.CustomFields.Where(f => f.AccountId == 1).OrderBy(f => f.Id).ToListAsync()).Select(f => (f.Id, f.Label, f.Key, f.Name)));
            Assert.Equal(new[] { (1L, "House Stark", "house stark"), (2L, "House Lannister", "house lannister") },
                (await db.Tags.Where(t => t.AccountId == 1).OrderBy(t => t.Id).ToListAsync()).Select(t => (t.Id, t.Name, t.NormalizedName)));
            Assert.Equal(new[] { (1L, "Welcome", false, false) },
                (await db.Sequences.Where(s => s.AccountId == 1).ToListAsync()).Select(s => (s.Id, s.Name, s.Hold, s.Repeat)));

            var forms = await db.Forms.Where(f => f.AccountId == 1).OrderBy(f => f.Id).ToListAsync();
            Assert.Equal(new[]
            {
                (1L, "A Form", "embed", (string?)"inline", (string?)"Join the newsletter", (string?)"One email a week about what we are building. No spam.",
                 (string?)"Subscribe", (string?)"Success! Now check your email to confirm your subscription.", true, false),
                (2L, "A Landing Page", "hosted", null, "Winter is coming", "<p>Be the first to hear when it arrives.</p>",
                 "Notify me", "Thanks! You're on the list.", false, false),
            }, forms.Select(f => (f.Id, f.Name, f.Type, f.Format, f.Title, f.Description, f.SignUpButtonText, f.SuccessMessage, f.DoubleOptIn, f.Archived)));
            Assert.All(forms, f => Assert.Matches("^[0-9a-f]{10}$", f.Uid));

            var subscribers = await db.Subscribers.Where(s => s.AccountId == 1).OrderBy(s => s.Id).ToListAsync();
            Assert.Equal(new[]
            {
                (1L, "jon@example.com", (string?)"Jon", "active", Utc("2016-02-28T08:07:00Z"), (DateTime?)null),
                (2L, "arya@example.com", "Arya", "inactive", Utc("2016-03-01T12:00:00Z"), null),
                (3L, "cersei@example.com", "Cersei", "cancelled", Utc("2016-03-02T09:30:00Z"), Utc("2016-04-01T10:00:00Z")),
                // Created by its purchase, at the purchase's time.
                (4L, "sam@example.com", "Sam", "active", Utc("2016-03-11T09:15:00Z"), null),
            }, subscribers.Select(s => (s.Id, s.EmailAddress, s.FirstName, s.State, s.CreatedAt, s.CancelledAt)));

            Assert.Equal(new[] { (1L, 1L, (string?)"Snow"), (1L, 2L, "Lord Commander"), (3L, 1L, "Lannister") },
                (await db.SubscriberFieldValues.OrderBy(v => v.SubscriberId).ThenBy(v => v.CustomFieldId).ToListAsync())
                    .Select(v => (v.SubscriberId, v.CustomFieldId, v.Value)));

            var subscriptions = await db.Subscriptions.Where(s => s.AccountId == 1)
                .OrderBy(s => s.SubscriberId).ThenBy(s => s.SubscribableType).ThenBy(s => s.SubscribableId).ToListAsync();
            Assert.Equal(new[]
            {
                (1L, "course", 1L, "active"), (1L, "form", 1L, "active"), (1L, "tag", 1L, "active"), (1L, "tag", 2L, "cancelled"),
                (2L, "form", 1L, "inactive"),
                (3L, "tag", 2L, "cancelled"),
            }, subscriptions.Select(s => (s.SubscriberId, s.SubscribableType, s.SubscribableId, s.State)));
            Assert.Equal(Utc("2016-02-28T08:07:00Z"), subscriptions[0].CreatedAt);

            var broadcasts = await db.Broadcasts.Where(b => b.AccountId == 1).OrderBy(b => b.Id).ToListAsync();
            var sent = Utc("2016-03-05T10:00:00Z");
            Assert.Equal(new[]
            {
                (1L, (string?)"Hello", (string?)"<p>Hi {{ subscriber.first_name }}</p>", (string?)"First newsletter", "completed", 2, 2, (DateTime?)sent, (DateTime?)sent, (string?)"owner@acme.test"),
                (2L, "Next week", "<p>Draft in progress.</p>", null, "draft", 0, 0, null, null, "owner@acme.test"),
            }, broadcasts.Select(b => (b.Id, b.Subject, b.Content, b.Description, b.Status, b.RecipientCount, b.SentCount, b.SendAt, b.CompletedAt, b.EmailAddress)));
            var recipients = await db.BroadcastRecipients.OrderBy(r => r.SubscriberId).ToListAsync();
            Assert.Equal(new[] { (1L, 1L, 1L, (DateTime?)sent), (1L, 1L, 3L, sent) },
                recipients.Select(r => (r.AccountId, r.BroadcastId, r.SubscriberId, r.SentAt)));
            Assert.All(recipients, r => Assert.True(r.Token.Length >= 20));
            Assert.NotEqual(recipients[0].Token, recipients[1].Token);

            var purchases = await db.Purchases.Where(p => p.AccountId == 1).OrderBy(p => p.Id).ToListAsync();
            Assert.Equal(new[]
            {
                (1L, "123-abcd", 1L, "jon@example.com", "USD", Utc("2016-03-10T14:00:00Z"), (string?)"paid", (decimal?)10m, (decimal?)1m, (decimal?)2m, (decimal?)0m, (decimal?)13m),
                (2L, "456-efgh", 4L, "sam@example.com", "EUR", Utc("2016-03-11T09:15:00Z"), null, null, null, null, null, 25.5m),
            }, purchases.Select(p => (p.Id, p.TransactionId, p.SubscriberId, p.EmailAddress, p.Currency, p.TransactionTime, p.Status,
                p.Subtotal, p.Tax, p.Shipping, p.Discount, p.Total)));
            Assert.Equal(new[]
            {
                (1L, 0, 9999L, 7777L, (string?)"7890-ijkl", "Floppy Disk", 5m, 2m),
                (2L, 0, 1234L, 1L, null, "Book of Maesters", 25.5m, 1m),
            }, (await db.PurchaseProducts.OrderBy(p => p.PurchaseId).ThenBy(p => p.Position).ToListAsync())
                .Select(p => (p.PurchaseId, p.Position, p.Pid, p.Lid, p.Sku, p.Name, p.UnitPrice, p.Quantity)));

            Assert.Equal(new[]
            {
                (1L, "tag_add", (string?)"tag_id", (string?)"1"),
                (2L, "course_complete", "sequence_id", "1"),
                (3L, "product_purchase", "product_id", "9999"),
                (4L, "purchase_create", null, null),
            }, (await db.WebhookRules.Where(r => r.AccountId == 1).OrderBy(r => r.Id).ToListAsync())
                .Select(r => (r.Id, r.EventName, r.ParameterName, r.ParameterValue)));
            Assert.All(await db.WebhookRules.ToListAsync(), r => Assert.Equal(("http://127.0.0.1:9000/hook", "enabled"), (r.TargetUrl, r.Status)));

            // Imported history is not news: no webhook may fire for it.
            Assert.Equal(0, await db.OutboxEvents.CountAsync());
        });
    }

    [Theory, Providers]
    public async Task Seed_TwoAccounts_KeepsThemApart(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var existing = await app.CreateAccountAsync("Existing", "e@existing.test");

        var run = await CliRunner.SeedAsync(app.Database, """
            {"accounts":[
              {"name":"One","primary_email_address":"one@one.test","tags":["Shared"],"subscribers":[{"email_address":"a@x.test","tags":["Shared"]}]},
              {"name":"Two","primary_email_address":"two@two.test","tags":["Shared"],"subscribers":[{"email_address":"a@x.test","tags":["Shared"]}]}
            ]}
            """);

        run.AssertSuccess();
        var printed = JsonNode.Parse(run.Output)!["accounts"]!.AsArray();
        Assert.Equal([2L, 3L], printed.Select(a => (long)a!["id"]!));
        Assert.Equal([1L, 2L], printed.Select(a => (long)a!["tags"]!["Shared"]!));
        Assert.Equal([1L, 2L], printed.Select(a => (long)a!["subscribers"]!["a@x.test"]!));
        var rows = await app.DbAsync(db => db.Subscriptions.OrderBy(s => s.Id).Select(s => new { s.AccountId, s.SubscriberId, s.SubscribableId }).ToListAsync());
        Assert.Equal(new[] { new { AccountId = 2L, SubscriberId = 1L, SubscribableId = 1L }, new { AccountId = 3L, SubscriberId = 2L, SubscribableId = 2L } }, rows);
        await (await app.Http.GetAsync($"/v3/account?api_secret={existing.ApiSecret}")).AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task Seed_FixedKeys_WorkAndCannotBeUsedTwice(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        const string file = """
            {"accounts":[{"name":"Fixed","primary_email_address":"fixed@acme.test","plan_type":"pro",
              "api_key":"demo_key_0123456789","api_secret":"demo_secret_0123456789","rate_limit_per_minute":0}]}
            """;

        var first = await CliRunner.SeedAsync(app.Database, file);
        var before = await CliRunner.CountRowsAsync(app);
        var second = await CliRunner.SeedAsync(app.Database, file);

        first.AssertSuccess();
        var account = JsonNode.Parse(first.Output)!["accounts"]![0]!;
        Assert.Equal(("demo_key_0123456789", "demo_secret_0123456789"), ((string)account["api_key"]!, (string)account["api_secret"]!));
        await (await app.Http.GetAsync("/v3/account?api_secret=demo_secret_0123456789"))
            .AssertJsonAsync(200, """{"name":"Fixed","plan_type":"pro","primary_email_address":"fixed@acme.test"}""");
        Assert.Equal(0, await app.DbAsync(db => db.Accounts.Select(a => a.RateLimitPerMinute).SingleAsync()));
        second.AssertFailure(1, "error: accounts[0].api_key: is already used by another account");
        Assert.Equal(before, await CliRunner.CountRowsAsync(app));
    }

    [Theory, Providers]
    public async Task Seed_ExistingSecretAsFixedKey_IsRejected(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var existing = await app.CreateAccountAsync();

        var run = await CliRunner.SeedAsync(app.Database,
            $$"""{"accounts":[{"name":"N","primary_email_address":"n@n.test","api_key":"{{existing.ApiSecret}}"}]}""");

        run.AssertFailure(1, "error: accounts[0].api_key: is already used by another account");
    }

    [Theory, Providers]
    public async Task Seed_ErrorInLaterAccount_ChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        (await CliRunner.RunAsync(app.Database, "seed", CliRunner.ExampleSeedFile)).AssertSuccess();
        var before = await CliRunner.CountRowsAsync(app);

        var run = await CliRunner.SeedAsync(app.Database, """
            {"accounts":[
              {"name":"Good","primary_email_address":"good@good.test","tags":["House Stark"],"subscribers":[{"email_address":"a@x.test"}]},
              {"name":"Bad","primary_email_address":"bad@bad.test","tags":["House Stark","House Lannister"],"subscribers":[
                {"email_address":"a@x.test"},{"email_address":"b@x.test"},{"email_address":"c@x.test","tags":["House Stark","House Targaryen"]}]}
            ]}
            """);

        run.AssertFailure(1, "error: accounts[1].subscribers[2].tags[1]: unknown tag \"House Targaryen\"");
        Assert.Equal(before, await CliRunner.CountRowsAsync(app));
    }

    [Theory, Providers]
    public async Task Seed_DatabaseFailsHalfway_RollsEverythingBack(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        // Webhook rules are written after the account, its catalog and its subscribers: make that last step fail.
        await app.DbAsync(db => db.Database.ExecuteSqlRawAsync(provider == DatabaseOptions.Postgres
            ? """
              CREATE FUNCTION reject_rules() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'rules are closed'; END $$ LANGUAGE plpgsql;
              CREATE TRIGGER reject_rules BEFORE INSERT ON webhook_rules FOR EACH ROW EXECUTE FUNCTION reject_rules();
              """
            : "CREATE TRIGGER reject_rules BEFORE INSERT ON webhook_rules BEGIN SELECT RAISE(ABORT, 'rules are closed'); END;"));
        var before = await CliRunner.CountRowsAsync(app);

        var run = await CliRunner.RunAsync(app.Database, "seed", CliRunner.ExampleSeedFile);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: the database refused the change: ", run.Error);
        Assert.Contains("rules are closed", run.Error);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", run.Output);
        Assert.Equal(before, await CliRunner.CountRowsAsync(app));
    }

    [Theory, Providers]
    public async Task Seed_OtherForms_DatesStatesAndEventParameters(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.SeedAsync(app.Database, """
            {"accounts":[{"name":"Variants","primary_email_address":"v@v.test","custom_fields":["Favourite Colour!"],"tags":["T"],
              "forms":[{"name":"F","format":"sticky bar"}],"sequences":[{"name":"S","hold":true}],
              "subscribers":[
                {"email_address":" Mixed@Case.test ","created_at":"2016-02-28T10:07:00+02:00","fields":{"favourite_colour":null}},
                {"email_address":"b@v.test","state":"bounced","created_at":"2016-02-28","tags":["T"]},
                {"email_address":"p@v.test","state":"inactive","created_at":"2016-02-28 08:07:00","forms":["F"],"sequences":["S"],"tags":["T"]},
                {"email_address":"ms@v.test","created_at":"2016-02-28T08:07:00.913Z","cancelled":{"forms":["F"],"sequences":["S"]}}],
              "broadcasts":[{"subject":"Later","send_at":"2030-01-01T09:00:00Z","email_address":"news@v.test","public":true,
                             "published_at":"2030-01-01T09:00:00Z","email_layout_template":"Text Only","thumbnail_url":"https://v.test/t.png"}],
              "webhooks":[
                {"target_url":"https://hooks.v.test/a","event":{"name":"subscriber.form_subscribe","form_id":"F"}},
                {"target_url":"https://hooks.v.test/b","event":{"name":"subscriber.course_subscribe","course_id":"S"}},
                {"target_url":"https://hooks.v.test/c","event":{"name":"subscriber.link_click","initiator_value":"https://v.test/x"}},
                {"target_url":"https://hooks.v.test/d","event":{"name":"subscriber.subscriber_unsubscribe"}}]}]}
            """);

        run.AssertSuccess();
        Assert.Contains("\"custom_fields\":{\"Favourite Colour!\":{\"id\":1,\"key\":\"favourite_colour\"}}", run.Output);
        Assert.Contains("\"subscribers\":{\"Mixed@Case.test\":1,", run.Output);
        await app.DbAsync(async db =>
        {
            Assert.Equal(new[]
            {
                (1L, "Mixed@Case.test", "mixed@case.test", "active", Utc("2016-02-28T08:07:00Z")),
                (2L, "b@v.test", "b@v.test", "bounced", Utc("2016-02-28T00:00:00Z")),
                (3L, "p@v.test", "p@v.test", "inactive", Utc("2016-02-28T08:07:00Z")),
                (4L, "ms@v.test", "ms@v.test", "active", Utc("2016-02-28T08:07:00.913Z")),
            }, (await db.Subscribers.OrderBy(x => x.Id).ToListAsync()).Select(x => (x.Id, x.EmailAddress, x.NormalizedEmail, x.State, x.CreatedAt)));
            Assert.Equal(0, await db.SubscriberFieldValues.CountAsync());
            Assert.Equal(new[]
            {
                (2L, "tag", "active"),
                (3L, "course", "active"), (3L, "form", "inactive"), (3L, "tag", "active"),
                (4L, "course", "cancelled"), (4L, "form", "cancelled"),
            }, (await db.Subscriptions.OrderBy(x => x.SubscriberId).ThenBy(x => x.SubscribableType).ToListAsync())
                .Select(x => (x.SubscriberId, x.SubscribableType, x.State)));
            var form = await db.Forms.SingleAsync();
            Assert.Equal(("sticky bar", "Subscribe"), (form.Format, form.SignUpButtonText));
            Assert.True(await db.Sequences.Select(x => x.Hold).SingleAsync());
            var later = await db.Broadcasts.SingleAsync();
            Assert.Equal(("scheduled", (DateTime?)Utc("2030-01-01T09:00:00Z"), "news@v.test", true, "Text Only", "https://v.test/t.png", 0, (DateTime?)null),
                (later.Status, later.SendAt, later.EmailAddress, later.Public, later.EmailLayoutTemplate, later.ThumbnailUrl, later.RecipientCount, later.CompletedAt));
            Assert.Equal(new[]
            {
                ("form_subscribe", (string?)"form_id", (string?)"1", "https://hooks.v.test/a"),
                ("course_subscribe", "course_id", "1", "https://hooks.v.test/b"),
                ("link_click", "initiator_value", "https://v.test/x", "https://hooks.v.test/c"),
                ("subscriber_unsubscribe", null, null, "https://hooks.v.test/d"),
            }, (await db.WebhookRules.OrderBy(r => r.Id).ToListAsync()).Select(r => (r.EventName, r.ParameterName, r.ParameterValue, r.TargetUrl)));
            Assert.Equal(0, await db.OutboxEvents.CountAsync());
        });
    }
}
