using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The sequence screens: the list, a sequence's emails, steps and schedule, and one email's editor.</summary>
public sealed class SequencesTests
{
    static readonly string Denied = new Mailroom.Server.App.AccountAccessDenied().Message;

    [Theory, Browser]
    public async Task Editor_CreatesASequence_AddsTwoEmails_PublishesOne_AndChangesTheSchedule(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "sequences"));
        await Expect(page.GetByText("No sequences yet.")).ToBeVisibleAsync();
        await page.GetByLabel("Name").FillAsync("Welcome <series>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create sequence" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome <series>" })).ToBeVisibleAsync();
        var id = await browser.App.DbAsync(db => db.Sequences.Where(s => s.AccountId == browser.Account.Id).Select(s => s.Id).SingleAsync());
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}")) + "$"));

        await AddEmailAsync(page, "Hello {{ subscriber.first_name }}", 0, "days");
        await AddEmailAsync(page, "Day two", 5, "hours");
        await Expect(page.Locator("#error")).ToHaveCountAsync(0);
        var rows = page.Locator("#emails tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0).Locator("td").Nth(2)).ToHaveTextAsync("Immediately");
        await Expect(rows.Nth(1).Locator("td").Nth(2)).ToHaveTextAsync("after 5 hours");
        await Expect(rows.Nth(1).Locator("td").Nth(3)).ToHaveTextAsync("Draft");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish Day two" }).ClickAsync();
        await Expect(rows.Nth(1).Locator("td").Nth(3)).ToHaveTextAsync("Published");
        await Expect(rows.Nth(0).Locator("td").Nth(3)).ToHaveTextAsync("Draft");

        // Moving the immediate email below another is Kit's refusal, and both stay where they were.
        await page.GetByRole(AriaRole.Button, new() { Name = "Move Day two up" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.OnlyFirstImmediate);
        await Expect(rows.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("Hello {{ subscriber.first_name }}");
        var positions = await browser.App.DbAsync(db => db.SequenceEmails.Where(e => e.SequenceId == id).OrderBy(e => e.Position)
            .Select(e => new { e.Subject, e.Position, e.Published }).ToListAsync());
        Assert.Equal([("Hello {{ subscriber.first_name }}", 0, false), ("Day two", 1, true)], positions.Select(p => (p.Subject, p.Position, p.Published)));

        await page.GetByLabel("Saturday").UncheckAsync();
        await page.GetByLabel("Sunday").UncheckAsync();
        await page.GetByLabel("Send hour").SelectOptionAsync("14");
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Hold subscribers").CheckAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Welcome");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Settings saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome", Exact = true })).ToBeVisibleAsync();
        var saved = await browser.App.DbAsync(db => db.Sequences.SingleAsync(s => s.Id == id));
        Assert.Equal(("Welcome", SendDays.Parse(["monday", "tuesday", "wednesday", "thursday", "friday"]), 14, "Europe/Berlin", true, true, false),
            (saved.Name, (int?)saved.SendDays, saved.SendHour, saved.TimeZone, saved.Hold, saved.Active, saved.Repeat));

        // The list shows it, with its emails.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sequences", Exact = true }).First.ClickAsync();
        await Expect(page.Locator("#sequences tbody tr td")).ToHaveTextAsync(["Welcome", "2", "0", "0", "Active"]);
    }

    [Theory, Browser]
    public async Task Validation_ShowsTheApisMessages_AndKeepsWhatWasTyped(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "sequences"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create sequence" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.NameBlank);
        Assert.Equal(0, await browser.App.DbAsync(db => db.Sequences.CountAsync()));

        var id = await CreateSequenceAsync(browser, "Onboarding");
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add email" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.SubjectBlank);
        await AddEmailAsync(page, "First", 1, "days");
        await AddEmailAsync(page, "Second at once", 0, "days");
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.OnlyFirstImmediate);
        await Expect(page.Locator("#emails tbody tr")).ToHaveCountAsync(1);

        await page.GetByLabel("Time zone").FillAsync("Mars/Olympus_Mons");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.TimeZoneInvalid);
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Mars/Olympus_Mons");
        foreach (var day in new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" })
            await page.GetByLabel(day).UncheckAsync();
        await page.GetByLabel("Time zone").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.SendDaysInvalid);
        var sequence = await browser.App.DbAsync(db => db.Sequences.SingleAsync(s => s.Id == id));
        Assert.Equal((SendDays.All, (string?)null), (sequence.SendDays, sequence.TimeZone));
    }

    [Theory, Browser]
    public async Task SubscribersPerStep_AreCountedByWhereEachStands(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = await CreateSequenceAsync(browser, "Course", ("Lesson 1", 0), ("Lesson 2", 2));
        // Not started: 1; after lesson 1: 2; after lesson 2 (held): 1; completed: 1; unsubscribed from it: not counted.
        await ArrangeAsync(browser.App, browser.Account.Id, id, (null, false, SubscriptionStates.Active), (0, false, SubscriptionStates.Active),
            (0, false, SubscriptionStates.Active), (1, false, SubscriptionStates.Active), (1, true, SubscriptionStates.Active),
            (0, false, SubscriptionStates.Cancelled));
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "sequences"));
        await Expect(page.Locator("#sequences tbody tr td")).ToHaveTextAsync(["Course", "2", "4", "1", "Active"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Course" }).ClickAsync();
        var rows = page.Locator("#emails tbody tr");
        await Expect(rows.Nth(0).Locator("td").Nth(4)).ToHaveTextAsync("2");
        await Expect(rows.Nth(1).Locator("td").Nth(4)).ToHaveTextAsync("1");
        await Expect(page.Locator("#not-started")).ToHaveTextAsync("1");
        await Expect(page.Locator("#completed")).ToHaveTextAsync("1");
    }

    [Theory, Browser]
    public async Task EmailEditor_SavesSubjectContentDelayAndPublished_WithASandboxedPreview(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = await CreateSequenceAsync(browser, "Course", ("Lesson 1", 0), ("Lesson 2", 2));
        var emailId = await browser.App.DbAsync(db => db.SequenceEmails.Where(e => e.Subject == "Lesson 2").Select(e => e.Id).SingleAsync());
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Lesson 2" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sequence email" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save email" })).ToBeEnabledAsync();

        await page.GetByLabel("Subject", new() { Exact = true }).FillAsync("Lesson two");
        await page.GetByLabel("Content", new() { Exact = true }).FillAsync("<p>Practice <b>daily</b></p><script>alert(1)</script>");
        var frame = page.Locator("iframe#preview-frame");
        await Expect(frame).ToHaveAttributeAsync("sandbox", "");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Subject: Lesson two");
        await page.GetByLabel("Delay after the previous email").FillAsync("3");
        await page.GetByLabel("Own send days").CheckAsync();
        await page.GetByLabel("Sunday").UncheckAsync();
        await page.GetByLabel("Published").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save email" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Email saved.");

        var email = await browser.App.DbAsync(db => db.SequenceEmails.SingleAsync(e => e.Id == emailId));
        Assert.Equal(("Lesson two", 3, DelayUnits.Days, true, SendDays.All & ~(1 << 6)), (email.Subject, email.DelayValue, email.DelayUnit, email.Published, email.SendDays!.Value));
        Assert.Contains("<b>daily</b>", email.Content);

        await page.GetByLabel("Subject", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save email" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(SequenceRules.SubjectBlank);
        Assert.Equal("Lesson two", await browser.App.DbAsync(db => db.SequenceEmails.Where(e => e.Id == emailId).Select(e => e.Subject).SingleAsync()));

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete email" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete this email" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}")) + "$"));
        await Expect(page.Locator("#emails tbody tr")).ToHaveCountAsync(1);
    }

    [Theory, Browser]
    public async Task Viewer_SeesButCannotChange_AndTheServerRefusesARoleTakenAway(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var id = await CreateSequenceAsync(browser, "Course", ("Lesson 1", 0));
        var emailId = await browser.App.DbAsync(db => db.SequenceEmails.Select(e => e.Id).SingleAsync());
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "sequences"));
        await Expect(page.Locator("#sequences tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create sequence" })).ToHaveCountAsync(0);

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}"));
        await Expect(page.Locator("#emails tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByLabel("Time zone")).ToBeDisabledAsync();
        foreach (var name in new[] { "Add email", "Save settings", "Delete sequence", "Publish Lesson 1" })
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = name })).ToHaveCountAsync(0);

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}/emails/{emailId}"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sequence email" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save email" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Delay after the previous email")).ToBeDisabledAsync();

        // An editor's page stays open after the role is taken away: every action asks the database again.
        await browser.NewSessionAsync();
        await browser.SignInAsAsync(AccountRoles.Editor);
        page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"sequences/{id}"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save settings" })).ToBeEnabledAsync();
        await DemoteEveryoneAsync(browser.App, browser.Account.Id);
        await page.GetByLabel("Time zone").FillAsync("Europe/Paris");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(Denied);
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish Lesson 1" }).ClickAsync();
        await Expect(page.Locator("#error")).ToHaveTextAsync(Denied);
        var sequence = await browser.App.DbAsync(db => db.Sequences.SingleAsync(s => s.Id == id));
        Assert.Null(sequence.TimeZone);
        Assert.False(await browser.App.DbAsync(db => db.SequenceEmails.AnyAsync(e => e.Published)));
    }

    [Theory, Browser]
    public async Task StaticCreateForm_PostedByAUserNoLongerAnEditor_IsRefused(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "sequences"));
        await page.GetByLabel("Name").FillAsync("Sneaky");
        await DemoteEveryoneAsync(browser.App, browser.Account.Id);
        // The form is no longer the viewer's to post: the page renders no handler for it and the post is refused.
        var response = await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Create sequence" }).ClickAsync());
        Assert.Equal(400, response.Status);
        Assert.Equal(0, await browser.App.DbAsync(db => db.Sequences.CountAsync()));
    }

    [Theory, Browser]
    public async Task OtherAccountsSequence_ByUrl_IsNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Beta Letters", "owner@beta.test");
        var theirs = await CreateSequenceAsync(browser, "Beta secret course", [("Beta lesson", 0)], other.Id);
        var theirEmail = await browser.App.DbAsync(db => db.SequenceEmails.Where(e => e.SequenceId == theirs).Select(e => e.Id).SingleAsync());
        var mine = await CreateSequenceAsync(browser, "Mine", ("My lesson", 0));
        await browser.SignInAsAsync(AccountRoles.Owner);

        foreach (var url in new[]
        {
            AppBrowser.AppUrl(browser.Account.Id, $"sequences/{theirs}"),
            AppBrowser.AppUrl(browser.Account.Id, $"sequences/{theirs}/emails/{theirEmail}"),
            AppBrowser.AppUrl(browser.Account.Id, $"sequences/{mine}/emails/{theirEmail}"),
            AppBrowser.AppUrl(other.Id, "sequences"),
            AppBrowser.AppUrl(other.Id, $"sequences/{theirs}"),
        })
        {
            var response = await browser.GotoAsync(url);
            Assert.Equal(404, response.Status);
            await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            Assert.DoesNotContain("Beta", await browser.Page.ContentAsync());
        }
    }

    static async Task AddEmailAsync(IPage page, string subject, int delay, string unit)
    {
        var form = page.Locator("#add-email");
        var button = form.GetByRole(AriaRole.Button, new() { Name = "Add email" });
        // Typing into the prerendered form before the circuit connects is lost: wait for it first.
        await Expect(button).ToBeEnabledAsync();
        await form.GetByLabel("Subject").FillAsync(subject);
        await form.GetByLabel("Delay").FillAsync(delay.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await form.GetByLabel("Unit").SelectOptionAsync(unit);
        await button.ClickAsync();
        // The answer to this click, not the last one's: the form is cleared in the same render as this notice.
        await Expect(page.Locator("#notice").Filter(new() { HasText = $"{subject} added" }).Or(page.Locator("#error"))).ToBeVisibleAsync();
    }

    static Task<long> CreateSequenceAsync(AppBrowser browser, string name, params (string Subject, int DelayDays)[] emails) =>
        CreateSequenceAsync(browser, name, emails, null);

    /// <summary>Through the editor the API uses, as a user of the API would have made it.</summary>
    static async Task<long> CreateSequenceAsync(AppBrowser browser, string name, (string Subject, int DelayDays)[] emails, long? accountId)
    {
        var account = accountId ?? browser.Account.Id;
        await using var scope = browser.App.Services.CreateAsyncScope();
        var editor = scope.ServiceProvider.GetRequiredService<SequenceEditor>();
        var sequence = await editor.CreateAsync(account, new SequenceSettings(Name: name), CancellationToken.None);
        foreach (var (subject, delay) in emails)
            await editor.AddEmailAsync(account, sequence.Id, new EmailSettings(Subject: subject, DelayValue: delay, DelayUnit: DelayUnits.Days), CancellationToken.None);
        return sequence.Id;
    }

    /// <summary>One subscriber per entry, subscribed to the sequence and standing where the entry says.</summary>
    static Task ArrangeAsync(MailroomApp app, long accountId, long sequenceId, params (int? Position, bool Completed, string State)[] places) =>
        app.DbAsync(async db =>
        {
            var now = MailroomApp.Start.UtcDateTime;
            var i = 0;
            foreach (var (position, completed, state) in places)
            {
                var email = $"s{++i}@x.test";
                var subscriber = new Subscriber { AccountId = accountId, EmailAddress = email, NormalizedEmail = email, State = SubscriberStates.Active, CreatedAt = now, UpdatedAt = now };
                db.Subscribers.Add(subscriber);
                await db.SaveChangesAsync();
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = accountId, SubscriberId = subscriber.Id, SubscribableType = SubscribableTypes.Course, SubscribableId = sequenceId,
                    State = state, SequencePosition = position, CompletedAt = completed ? now : null, SequenceAnchorAt = now, CreatedAt = now, UpdatedAt = now,
                });
            }
            await db.SaveChangesAsync();
        });

    static Task DemoteEveryoneAsync(MailroomApp app, long accountId) =>
        app.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, AccountRoles.Viewer)));
}
