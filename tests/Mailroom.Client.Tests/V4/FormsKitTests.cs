using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class FormsKitTests
{
    [Theory, Providers]
    public async Task ListForms_TwoForms_ListsTheAccountsOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@example.com");
        var first = await app.AddFormAsync(account.Id, "<b>Newsletter</b>");
        var second = await app.AddFormAsync(account.Id, "Course");
        await app.AddFormAsync(other.Id, "Theirs");

        var forms = await kit.ListAllFormsAsync().ToListAsync();

        Assert.Equal([second.Id, first.Id], forms.Select(f => f.Id).OrderDescending());
        var form = forms.Single(f => f.Id == first.Id);
        Assert.Equal(("<b>Newsletter</b>", "embed", false, first.Uid), (form.Name, form.Type, form.Archived, form.Uid));
    }

    [Theory, Providers]
    public async Task AddSubscriberToForm_ByEmailThenById_ListsThemWithTheReferrer(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        await app.AddSubscribersAsync(account.Id, 2);
        var ids = await app.SubscriberIdsAsync(account.Id);

        var byEmail = await kit.AddSubscriberToFormByEmailAsync(form.Id, "s000@example.com", "https://example.com/?utm_source=news");
        var byId = await kit.AddSubscriberToFormAsync(form.Id, ids["s001@example.com"], "https://example.com/landing");
        var again = await kit.AddSubscriberToFormAsync(form.Id, ids["s001@example.com"], "https://example.com/landing");

        Assert.Equal((ids["s000@example.com"], "https://example.com/?utm_source=news"), (byEmail.Id, byEmail.Referrer));
        Assert.Equal("news", byEmail.ReferrerUtmParameters?.Source);
        Assert.Equal(byId.Id, again.Id);
        var listed = await kit.ListAllFormSubscribersAsync(form.Id, perPage: 1).ToListAsync();
        Assert.Equal(ids.Values.Order(), listed.Select(s => s.Id).Order());
    }

    [Theory, Providers]
    public async Task AddSubscriberToForm_UnknownFormOrSubscriber_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@example.com");
        var theirs = await app.AddFormAsync(other.Id);
        var form = await app.AddFormAsync(account.Id);

        await kit.AddSubscriberToFormByEmailAsync(theirs.Id, "ada@example.com").AssertKitErrorAsync(404, "Not Found");
        await kit.AddSubscriberToFormAsync(form.Id, 999_999).AssertKitErrorAsync(404, "Not Found");
        await kit.ListFormSubscribersAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }
}
