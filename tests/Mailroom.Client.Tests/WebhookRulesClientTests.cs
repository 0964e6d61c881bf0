using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class WebhookRulesClientTests
{
    [Theory, Providers]
    public async Task CreateWebhookRule_TagAdd_EchoesTheEvent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");

        var rule = await kit.CreateWebhookRuleAsync("https://hooks.example.com/kit", WebhookEvent.TagAdd(tag.Id));

        Assert.Equal(new WebhookRule(rule.Id, account.Id, new WebhookRuleEvent("tag_add", TagId: tag.Id), "https://hooks.example.com/kit"), rule);
    }

    [Theory, Providers]
    public async Task ListWebhookRules_TwoRules_ListsThemEnabled(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var sequence = await app.AddSequenceAsync(account.Id);
        var first = await kit.CreateWebhookRuleAsync("https://hooks.example.com/a", WebhookEvent.LinkClick("https://example.com/offer"));
        var second = await kit.CreateWebhookRuleAsync("https://hooks.example.com/b", WebhookEvent.CourseComplete(sequence.Id));

        var rules = await kit.ListWebhookRulesAsync();

        Assert.Equal(
        [
            new WebhookRule(first.Id, account.Id, new WebhookRuleEvent("link_click", InitiatorValue: "https://example.com/offer"),
                "https://hooks.example.com/a", "enabled"),
            new WebhookRule(second.Id, account.Id, new WebhookRuleEvent("course_complete", CourseId: sequence.Id),
                "https://hooks.example.com/b", "enabled"),
        ], rules);
    }

    [Theory, Providers]
    public async Task CreateWebhookRule_BadTargetOrUnknownTag_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).CreateWebhookRuleAsync("not a url", WebhookEvent.TagAdd(999))
            .AssertUnprocessableAsync("Target url is invalid, Tag does not exist");
    }

    [Theory, Providers]
    public async Task ListWebhookRules_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListWebhookRulesAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task DeleteWebhookRule_Known_RemovesItThenIs404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var rule = await kit.CreateWebhookRuleAsync("https://hooks.example.com/kit", WebhookEvent.SubscriberActivate());

        await kit.DeleteWebhookRuleAsync(rule.Id);

        Assert.Empty(await kit.ListWebhookRulesAsync());
        await kit.DeleteWebhookRuleAsync(rule.Id).AssertNotFoundAsync();
    }
}
