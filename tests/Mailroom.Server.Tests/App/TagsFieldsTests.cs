using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The tags and custom fields screens: the API's rules and messages, roles, and other accounts' ids.</summary>
public sealed class TagsFieldsTests
{
    [Theory, Browser]
    public async Task Tags_CreateRenameDelete_CountLinksToTheTagsSubscribers(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "tags"));

        await page.GetByLabel("New tag name").FillAsync("VIP <b>readers</b>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        var row = page.Locator("#tags tbody tr");
        await Expect(row.Locator("td").First).ToHaveTextAsync("VIP <b>readers</b>");
        var tagId = await browser.App.DbAsync(db => db.Tags.Where(t => t.AccountId == browser.Account.Id).Select(t => t.Id).SingleAsync());
        var subscriberId = await TagASubscriberAsync(browser.App, browser.Account.Id, tagId);

        await page.ReloadAsync();
        var count = row.GetByRole(AriaRole.Link, new() { Name = "1 subscribers tagged VIP <b>readers</b>" });
        await Expect(count).ToHaveAttributeAsync("href", AppBrowser.AppUrl(browser.Account.Id, $"subscribers?tag={tagId}"));

        await row.GetByText("Rename").ClickAsync();
        await row.GetByLabel("New name for VIP <b>readers</b>").FillAsync("Very important");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Expect(row.Locator("td").First).ToHaveTextAsync("Very important");

        await row.GetByText("Delete", new() { Exact = true }).ClickAsync();
        await Expect(row.GetByText("Delete the tag “Very important”? 1 subscribers lose it")).ToBeVisibleAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete tag" }).ClickAsync();
        await Expect(page.GetByText("No tags yet.")).ToBeVisibleAsync();
        Assert.False(await browser.App.DbAsync(db => db.Subscriptions.AnyAsync(s => s.SubscribableType == SubscribableTypes.Tag)));
        Assert.True(await browser.App.DbAsync(db => db.Subscribers.AnyAsync(s => s.Id == subscriberId)));
    }

    [Theory, Browser]
    public async Task Tags_BlankAndDuplicateNames_ShowTheApisMessages(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "tags"));
        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create tag" });

        await create.ClickAsync();
        await Expect(page.Locator("#tag-error")).ToHaveTextAsync("Name can't be blank");

        await page.GetByLabel("New tag name").FillAsync("Customers");
        await create.ClickAsync();
        await Expect(page.Locator("#tags tbody tr")).ToHaveCountAsync(1);
        // Names are unique regardless of case, as POST /v3/tags answers.
        await page.GetByLabel("New tag name").FillAsync("CUSTOMERS");
        await create.ClickAsync();
        await Expect(page.Locator("#tag-error")).ToHaveTextAsync("Name has already been taken");
        await Expect(page.GetByLabel("New tag name")).ToHaveValueAsync("CUSTOMERS");
        Assert.Equal(1, await browser.App.DbAsync(db => db.Tags.CountAsync()));
    }

    [Theory, Browser]
    public async Task Fields_CreateRenameDelete_WithKitsKeys_AndTheApisMessages(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        // The nav's slug and the short one are the same screen.
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "fields"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Custom fields" })).ToBeVisibleAsync();
        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create field" });

        await page.GetByLabel("New field label").FillAsync("Last name");
        await create.ClickAsync();
        var row = page.Locator("#fields tbody tr");
        await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("Last name");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("last_name");
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync(new Regex(@"^ck_field_\d+_last_name$"));

        await page.GetByLabel("New field label").FillAsync(new string('x', 256));
        await create.ClickAsync();
        await Expect(page.Locator("#field-error")).ToHaveTextAsync("Label is too long (maximum is 255 characters)");
        await page.GetByLabel("New field label").FillAsync("LAST NAME");
        await create.ClickAsync();
        await Expect(page.Locator("#field-error")).ToHaveTextAsync("Label has already been taken");
        await page.GetByLabel("New field label").FillAsync(" ");
        await create.ClickAsync();
        await Expect(page.Locator("#field-error")).ToHaveTextAsync("Label can't be blank");

        await row.GetByText("Rename").ClickAsync();
        await row.GetByLabel("New label for Last name").FillAsync("Family name");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("family_name");
        // The outbox carries the same events the API raises.
        Assert.Contains(Mailroom.Server.Domain.Outbox.OutboxEvents.CustomFieldCreated, await EventsAsync(browser.App));

        await row.GetByText("Delete", new() { Exact = true }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete field" }).ClickAsync();
        await Expect(page.GetByText("No custom fields yet.")).ToBeVisibleAsync();
        Assert.Equal(0, await browser.App.DbAsync(db => db.CustomFields.CountAsync()));
    }

    [Theory, Browser]
    public async Task Viewer_SeesTagsAndFields_WithoutControls_AndTheServerRefusesARoleTakenAway(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var accountId = browser.Account.Id;
        await browser.App.DbAsync(async db =>
        {
            db.Tags.Add(new Tag { AccountId = accountId, Name = "Kept", NormalizedName = "kept" });
            db.CustomFields.Add(new CustomField { AccountId = accountId, Label = "City", Key = "city", Name = "ck_field_1_city" });
            await db.SaveChangesAsync();
        });
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "tags"));
        await Expect(page.Locator("#tags tbody tr td").First).ToHaveTextAsync("Kept");
        await Expect(page.GetByLabel("New tag name")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Rename")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Delete", new() { Exact = true })).ToHaveCountAsync(0);
        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "custom-fields"));
        await Expect(page.Locator("#fields tbody tr td").First).ToHaveTextAsync("City");
        await Expect(page.GetByLabel("New field label")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Rename")).ToHaveCountAsync(0);

        // An editor's page still open when the role is taken away: its forms are refused by the server.
        await browser.NewSessionAsync();
        await browser.SignInAsAsync(AccountRoles.Editor);
        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "tags"));
        await browser.Page.GetByLabel("New tag name").FillAsync("Sneaky");
        await DowngradeAsync(browser.App, accountId);
        // The page a viewer gets has no such form, so the post finds no handler: refused before anything runs.
        var posted = await AppBrowser.PostAsync(browser.Page, () => browser.Page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync());
        Assert.Equal(400, posted.Status);
        Assert.Equal(["Kept"], await browser.App.DbAsync(db => db.Tags.Select(t => t.Name).ToListAsync()));

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "custom-fields"));
        await Expect(browser.Page.GetByLabel("New field label")).ToHaveCountAsync(0);
    }

    [Theory, Browser]
    public async Task OtherAccount_TagsAndFieldsPagesAndIds_AreNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Beta Letters", "owner@beta.test");
        var (otherTag, _) = await browser.App.DbAsync(async db =>
        {
            var tag = new Tag { AccountId = other.Id, Name = "Beta secret tag", NormalizedName = "beta secret tag" };
            var field = new CustomField { AccountId = other.Id, Label = "Beta secret field", Key = "beta", Name = "ck_field_9_beta" };
            db.AddRange(tag, field);
            db.Tags.Add(new Tag { AccountId = browser.Account.Id, Name = "Mine", NormalizedName = "mine" });
            await db.SaveChangesAsync();
            return (tag.Id, field.Id);
        });
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;

        foreach (var path in new[] { "tags", "custom-fields", "fields" })
        {
            var response = await browser.GotoAsync(AppBrowser.AppUrl(other.Id, path));
            Assert.Equal(404, response.Status);
            Assert.DoesNotContain("Beta secret", await page.ContentAsync());
        }

        // Renaming through one's own page with another account's id in the form is not found, and changes nothing.
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "tags"));
        var row = page.Locator("#tags tbody tr");
        await row.GetByText("Rename").ClickAsync();
        await row.Locator("input[name='Posted.Id']").First.EvaluateAsync($"e => e.value = '{otherTag}'");
        await row.GetByLabel("New name for Mine").FillAsync("Hijacked");
        var posted = await AppBrowser.PostAsync(page, () => row.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync());
        Assert.Equal(404, posted.Status);
        Assert.Equal("Beta secret tag", await browser.App.DbAsync(db => db.Tags.Where(t => t.Id == otherTag).Select(t => t.Name).SingleAsync()));
    }

    static async Task<long> TagASubscriberAsync(MailroomApp app, long accountId, long tagId)
    {
        var now = MailroomApp.Start.UtcDateTime;
        return await app.DbAsync(async db =>
        {
            var subscriber = new Subscriber { AccountId = accountId, EmailAddress = "t@x.test", NormalizedEmail = "t@x.test", CreatedAt = now, UpdatedAt = now };
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
            db.Subscriptions.Add(new Subscription
            {
                AccountId = accountId, SubscriberId = subscriber.Id, SubscribableType = SubscribableTypes.Tag, SubscribableId = tagId,
                CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
            return subscriber.Id;
        });
    }

    static Task<List<string>> EventsAsync(MailroomApp app) => app.DbAsync(db => db.OutboxEvents.Select(e => e.EventName).ToListAsync());

    /// <summary>Every member of the account becomes a viewer, as <c>mailroom users grant … viewer</c> would make them.</summary>
    internal static Task DowngradeAsync(MailroomApp app, long accountId) =>
        app.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, AccountRoles.Viewer)));
}
