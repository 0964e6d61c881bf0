using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The subscriber list (search, filters, keyset paging) and the subscriber page (details, edits, roles).</summary>
public sealed class SubscribersTests
{
    static readonly DateTime Now = MailroomApp.Start.UtcDateTime;

    [Theory, Browser]
    public async Task List_SearchesByEmailAndName_FiltersByStateAndTag_AndPagesBothWays(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = browser.Account.Id;
        await browser.App.DbAsync(async db =>
        {
            // 120 plain subscribers: a first page of 50, a second of 50, a last of 20 (after the three below).
            for (var i = 0; i < 120; i++) db.Subscribers.Add(NewSubscriber(id, $"s{i:D3}@list.test", $"Person {i}"));
            await db.SaveChangesAsync();
            db.Subscribers.Add(NewSubscriber(id, "zelda@else.test", "Zelda Quartz", SubscriberStates.Cancelled));
            var bob = NewSubscriber(id, "bob@else.test", "Bobby");
            var vip = new Tag { AccountId = id, Name = "VIP", NormalizedName = "vip", CreatedAt = Now, UpdatedAt = Now };
            db.AddRange(bob, vip);
            await db.SaveChangesAsync();
            db.Subscriptions.Add(Tagging(id, bob.Id, vip.Id));
            await db.SaveChangesAsync();
        });
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;
        var rows = page.Locator("#subscribers tbody tr");

        await browser.GotoAsync(AppBrowser.AppUrl(id, "subscribers"));
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First.Locator("td")).ToHaveTextAsync(["bob@else.test", "Bobby", "active", "2024-05-01 10:00"]);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Previous page" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync("s071@list.test");
        await Expect(rows).ToHaveCountAsync(50);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync("s021@list.test");
        await Expect(rows).ToHaveCountAsync(22);
        await Expect(rows.Last.Locator("td").First).ToHaveTextAsync("s000@list.test");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous page" }).ClickAsync();
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync("s071@list.test");
        await Expect(rows.Last.Locator("td").First).ToHaveTextAsync("s022@list.test");
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous page" }).ClickAsync();
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync("bob@else.test");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Previous page" })).ToHaveCountAsync(0);

        // By address prefix (any case), by a piece of the name.
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("ZELDA@");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows.Locator("td").First).ToHaveTextAsync("zelda@else.test");
        await Expect(rows).ToHaveCountAsync(1);
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("quar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"q=quar"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td").First).ToHaveTextAsync("zelda@else.test");
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("s11");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);

        // Filters, each on its own.
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("");
        await page.GetByLabel("State", new() { Exact = true }).SelectOptionAsync("cancelled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"state=cancelled"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td").First).ToHaveTextAsync("zelda@else.test");
        await page.GetByLabel("State", new() { Exact = true }).SelectOptionAsync("");
        await page.GetByLabel("Tag", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "VIP" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"tag=\d+"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td").First).ToHaveTextAsync("bob@else.test");
        await page.GetByLabel("State", new() { Exact = true }).SelectOptionAsync("cancelled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#no-subscribers")).ToBeVisibleAsync();
    }

    [Theory, Browser]
    public async Task Subscriber_ShowsFieldsTagsSequencesEmailsAndEvents_AndEditsNameAndField(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = browser.Account.Id;
        var subscriberId = await SeedOneAsync(browser.App, id);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(id, $"subscribers/{subscriberId}"));
        await Expect(page.Locator("#subscriber-email")).ToHaveTextAsync("ann@one.test");
        await Expect(page.Locator("#subscriber-state")).ToHaveTextAsync("active");
        await Expect(page.GetByLabel("First name")).ToHaveValueAsync("Ann");
        await Expect(page.GetByLabel("Company")).ToHaveValueAsync("Acme");
        await Expect(page.Locator("#tags li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#tags li")).ToContainTextAsync("Readers");
        await Expect(page.Locator("#sequences tbody td")).ToHaveTextAsync(["Welcome", "active", "1 of 2", "2024-05-03 10:00"]);
        await Expect(page.Locator("#emails tbody td")).ToHaveTextAsync(["Spring news", "Broadcast", "2024-05-01 10:00", "2024-05-01 10:00", "no"]);
        await Expect(page.Locator("#events tbody td").First).ToHaveTextAsync("subscriber_activate");

        await page.GetByLabel("First name").FillAsync("Annie");
        await page.GetByLabel("Company").FillAsync("Beta Ltd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#subscriber-name")).ToHaveTextAsync("Annie");
        await Expect(page.GetByLabel("Company")).ToHaveValueAsync("Beta Ltd");
        var stored = await browser.App.DbAsync(db => db.SubscriberFieldValues.Where(v => v.SubscriberId == subscriberId).Select(v => v.Value).SingleAsync());
        Assert.Equal("Beta Ltd", stored);
        // The API's event for the changed value, once.
        Assert.Equal(1, await browser.App.DbAsync(db => db.OutboxEvents.CountAsync(e => e.SubscriberId == subscriberId && e.EventName == "field_value_updated")));

        // A value over the limit: the API's message, nothing saved, the typed value kept.
        await page.GetByLabel("Company").FillAsync(new string('x', SubscriberLimits.FieldValueMaxLength + 1));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(
            ApiError.SubscriberViolationMessage(new(SubscriberProblem.FieldValueTooLong, "company")));
        Assert.Equal("Beta Ltd", await browser.App.DbAsync(db => db.SubscriberFieldValues.Where(v => v.SubscriberId == subscriberId).Select(v => v.Value).SingleAsync()));
    }

    [Theory, Browser]
    public async Task Subscriber_AddsAndRemovesATag_Unsubscribes_AndDeletesAfterConfirming(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = browser.Account.Id;
        var subscriberId = await SeedOneAsync(browser.App, id);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(id, $"subscribers/{subscriberId}"));
        async Task<List<string>> Events() => await browser.App.DbAsync(db => db.OutboxEvents.Where(e => e.SubscriberId == subscriberId)
            .OrderBy(e => e.Id).Select(e => e.EventName).ToListAsync());

        await page.GetByLabel("Add a tag").SelectOptionAsync(new SelectOptionValue { Label = "Buyers" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(page.Locator("#tags li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#tags")).ToContainTextAsync("Buyers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove tag Readers" }).ClickAsync();
        await Expect(page.Locator("#tags li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#tags")).Not.ToContainTextAsync("Readers");
        Assert.Equal(["subscriber_activate", "tag_add", "tag_remove"], await Events());

        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Expect(page.Locator("#subscriber-state")).ToHaveTextAsync("cancelled");
        Assert.Equal(["subscriber_activate", "tag_add", "tag_remove", "subscriber_unsubscribe"], await Events());

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete…" }).ClickAsync();
        await Expect(page.Locator("#confirm-delete")).ToContainTextAsync("Delete ann@one.test");
        Assert.True(await browser.App.DbAsync(db => db.Subscribers.AnyAsync(s => s.Id == subscriberId)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete permanently" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(id, "subscribers")) + "$"));
        Assert.False(await browser.App.DbAsync(db => db.Subscribers.AnyAsync(s => s.Id == subscriberId)));
        Assert.False(await browser.App.DbAsync(db => db.BroadcastRecipients.AnyAsync(r => r.SubscriberId == subscriberId)));
        var gone = await browser.GotoAsync(AppBrowser.AppUrl(id, $"subscribers/{subscriberId}"));
        Assert.Equal(404, gone.Status);
    }

    [Theory, Browser]
    public async Task Viewer_SeesNoEditControls_HostileNameAsText_AndADemotedEditorsPostsAreRefused(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = browser.Account.Id;
        var subscriberId = await SeedOneAsync(browser.App, id, firstName: "<script>document.title='owned'</script><b>Ann</b>");
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;
        var url = AppBrowser.AppUrl(id, $"subscribers/{subscriberId}");

        await browser.GotoAsync(url);
        await Expect(page.Locator("#subscriber-name")).ToHaveTextAsync("<script>document.title='owned'</script><b>Ann</b>");
        await Expect(page.Locator("#subscriber-name b")).ToHaveCountAsync(0);
        await Expect(page.Locator("#fields")).ToContainTextAsync("Acme");
        await Expect(page.Locator("#tags li")).ToHaveTextAsync(["Readers"]);
        foreach (var button in new[] { "Save", "Add tag", "Unsubscribe", "Remove tag Readers", "Delete permanently" })
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = button })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Delete…" })).ToHaveCountAsync(0);
        await Expect(page.Locator("main form[method=post], main input:not([type=search])")).ToHaveCountAsync(0);
        await browser.GotoAsync(url + "?confirm=delete");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete permanently" })).ToHaveCountAsync(0);
        await browser.GotoAsync(AppBrowser.AppUrl(id, "subscribers"));
        await Expect(page.Locator("#subscribers tbody td").Nth(1)).ToHaveTextAsync("<script>document.title='owned'</script><b>Ann</b>");
        Assert.NotEqual("owned", await page.TitleAsync());

        // An editor's page still shows the forms after the role is taken away: the server refuses what they post.
        await browser.NewSessionAsync();
        var editor = await browser.SignInAsAsync(AccountRoles.Editor);
        page = browser.Page;
        await browser.GotoAsync(url + "?confirm=delete");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete permanently" })).ToBeVisibleAsync();
        await browser.App.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == id && db.Users.Any(u => u.Id == m.UserId && u.Email == editor))
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Role, AccountRoles.Viewer)));
        await page.GetByLabel("First name").FillAsync("Mallory");
        var save = await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync());
        Assert.True(save.Status >= 400, $"a viewer's save answered {save.Status}");
        var after = await browser.App.DbAsync(db => db.Subscribers.Where(s => s.Id == subscriberId).Select(s => new { s.FirstName, s.State }).SingleAsync());
        Assert.Equal("<script>document.title='owned'</script><b>Ann</b>", after.FirstName);
        Assert.Equal(SubscriberStates.Active, after.State);
    }

    [Theory, Browser]
    public async Task OtherAccountsSubscriber_ByUrl_IsNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Other", "o@o.test");
        var theirs = await SeedOneAsync(browser.App, other.Id);
        var ours = await SeedOneAsync(browser.App, browser.Account.Id, email: "mine@one.test");
        await browser.SignInAsAsync(AccountRoles.Owner);

        var response = await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"subscribers/{theirs}"));
        Assert.Equal(404, response.Status);
        await Expect(browser.Page.GetByText("ann@one.test")).ToHaveCountAsync(0);
        Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(other.Id, $"subscribers/{theirs}"))).Status);
        Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(other.Id, "subscribers"))).Status);
        Assert.Equal(200, (await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"subscribers/{ours}"))).Status);
        // The list of this account never shows the other's subscribers.
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "subscribers?q=ann%40"));
        await Expect(browser.Page.Locator("#no-subscribers")).ToBeVisibleAsync();
    }

    static Subscriber NewSubscriber(long accountId, string email, string? firstName, string state = SubscriberStates.Active) => new()
    {
        AccountId = accountId, EmailAddress = email, NormalizedEmail = email.ToLowerInvariant(), FirstName = firstName, State = state,
        CreatedAt = Now, UpdatedAt = Now, CancelledAt = state == SubscriberStates.Cancelled ? Now : null,
    };

    static Subscription Tagging(long accountId, long subscriberId, long tagId) => new()
    {
        AccountId = accountId, SubscriberId = subscriberId, SubscribableType = SubscribableTypes.Tag, SubscribableId = tagId,
        CreatedAt = Now, UpdatedAt = Now,
    };

    /// <summary>
    /// ann@one.test with a company field, tag Readers (and an unused tag Buyers), a sequence one email in with the next
    /// due in two days, one broadcast opened, and the activation event.
    /// </summary>
    static async Task<long> SeedOneAsync(MailroomApp app, long accountId, string email = "ann@one.test", string firstName = "Ann") =>
        await app.DbAsync(async db =>
        {
            var s = NewSubscriber(accountId, email, firstName);
            var company = new CustomField { AccountId = accountId, Label = "Company", Key = "company", Name = "ck_field_1_company", CreatedAt = Now, UpdatedAt = Now };
            var readers = new Tag { AccountId = accountId, Name = "Readers", NormalizedName = "readers", CreatedAt = Now, UpdatedAt = Now };
            var buyers = new Tag { AccountId = accountId, Name = "Buyers", NormalizedName = "buyers", CreatedAt = Now, UpdatedAt = Now };
            var sequence = new Sequence { AccountId = accountId, Name = "Welcome", CreatedAt = Now, UpdatedAt = Now };
            var broadcast = new Broadcast
            {
                AccountId = accountId, Subject = "Spring news", Status = BroadcastStatuses.Completed, CreatedAt = Now, UpdatedAt = Now,
            };
            db.AddRange(s, company, readers, buyers, sequence, broadcast);
            await db.SaveChangesAsync();
            db.SubscriberFieldValues.Add(new SubscriberFieldValue { SubscriberId = s.Id, CustomFieldId = company.Id, Value = "Acme" });
            db.Subscriptions.Add(Tagging(accountId, s.Id, readers.Id));
            db.SequenceEmails.AddRange(
                new SequenceEmail { AccountId = accountId, SequenceId = sequence.Id, Position = 1, Subject = "One", CreatedAt = Now, UpdatedAt = Now },
                new SequenceEmail { AccountId = accountId, SequenceId = sequence.Id, Position = 2, Subject = "Two", CreatedAt = Now, UpdatedAt = Now });
            db.Subscriptions.Add(new Subscription
            {
                AccountId = accountId, SubscriberId = s.Id, SubscribableType = SubscribableTypes.Course, SubscribableId = sequence.Id,
                SequencePosition = 1, NextSendAt = Now.AddDays(2), CreatedAt = Now, UpdatedAt = Now,
            });
            db.BroadcastRecipients.Add(new BroadcastRecipient
            {
                AccountId = accountId, BroadcastId = broadcast.Id, SubscriberId = s.Id, Token = $"t{accountId}-{s.Id}", SentAt = Now, OpenedAt = Now,
            });
            db.OutboxEvents.Add(new OutboxEvent { AccountId = accountId, SubscriberId = s.Id, EventName = "subscriber_activate", OccurredAt = Now });
            await db.SaveChangesAsync();
            return s.Id;
        });
}
