using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Api.V4.MembershipArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/forms and their subscribers: the same forms, embeds, double opt-in and webhooks as v3.</summary>
public sealed partial class FormsTests
{
    const string Referrer = "https://mywebsite.com/bfpromo/?utm_source=facebook&utm_medium=cpc&utm_campaign=black_friday&utm_term=car_owners&utm_content=get_10_off";

    [Theory, Providers]
    public async Task ListForms_ActiveByDefault_WithV3sEmbedUrls_NewestFirst(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var embed = await app.AddFormAsync(account.Id);
        var hosted = await app.AddFormAsync(account.Id, "Lead gen", type: FormTypes.Hosted, uid: "ae7c1adaa1");
        var archived = await app.AddFormAsync(account.Id, "Old", uid: "0ld0ld0ld0", archived: true);

        var list = await client.GetAsync("/v4/forms");

        AssertJson($$"""
            {"forms":[
              {"id":{{hosted.Id}},"name":"Lead gen","created_at":"2024-05-01T10:00:00Z","type":"hosted","format":null,
               "embed_js":"http://mailroom.test/forms/ae7c1adaa1/index.js","embed_url":"http://mailroom.test/forms/ae7c1adaa1","archived":false,"uid":"ae7c1adaa1"},
              {"id":{{embed.Id}},"name":"Newsletter","created_at":"2024-05-01T10:00:00Z","type":"embed","format":"inline",
               "embed_js":"http://mailroom.test/forms/0123456789/index.js","embed_url":"http://mailroom.test/forms/0123456789","archived":false,"uid":"0123456789"}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{V4Page.Cursor(hosted.Id)}}","end_cursor":"{{V4Page.Cursor(embed.Id)}}","per_page":500} }
            """, list);
        // v3 lists the same embed script and page for each form.
        var v3 = JsonNode.Parse(await (await app.Http.GetAsync($"/v3/forms?api_key={account.ApiKey}")).Content.ReadAsStringAsync())!;
        Assert.Equal(list["forms"]![1]!["embed_js"]!.GetValue<string>(), v3["forms"]![0]!["embed_js"]!.GetValue<string>());
        Assert.Equal([archived.Id], (await client.GetAsync("/v4/forms?status=archived")).Ids("forms"));
        Assert.Equal([archived.Id, hosted.Id, embed.Id], (await client.GetAsync("/v4/forms?status=all")).Ids("forms"));
        Assert.Empty((await client.GetAsync("/v4/forms?status=trashed")).Ids("forms"));
        Assert.Equal([hosted.Id], (await client.GetAsync("/v4/forms?type=hosted")).Ids("forms"));
        Assert.Equal([archived.Id, embed.Id], (await client.GetAsync("/v4/forms?type=embed&status=all")).Ids("forms"));
    }

    [Theory, Providers]
    public async Task ListForms_BadFiltersOrOtherAccounts_422OrHidden(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        await app.AddFormAsync(other.Id);

        await client.AssertErrorAsync(HttpMethod.Get, "/v4/forms?status=deleted", 422, null, FormsEndpoints.StatusInvalid);
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/forms?type=popup", 422, null, FormsEndpoints.TypeInvalid);
        Assert.Empty((await client.GetAsync("/v4/forms?status=all")).Ids("forms"));
    }

    [Theory, Providers]
    public async Task ListForms_IncludeSubscriberCount_CountsActiveMembers(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var form = await app.AddFormAsync(account.Id);
        await app.AddSubscriptionAsync(await app.AddSubscriberAsync(account.Id, "a@example.com"), SubscribableTypes.Form, form.Id);
        await app.AddSubscriptionAsync(await app.AddSubscriberAsync(account.Id, "b@example.com"), SubscribableTypes.Form, form.Id, SubscriptionStates.Inactive);

        Assert.Equal(1, (await client.GetAsync("/v4/forms?include=subscriber_count"))["forms"]![0]!["subscriber_count"]!.GetValue<int>());
        Assert.Null((await client.GetAsync("/v4/forms"))["forms"]![0]!["subscriber_count"]);
    }

    [Theory, Providers]
    public async Task AddSubscriberToFormByEmail_201Then200_ReferrerKept_OneFormSubscribeEvent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.AddCustomFieldAsync(account.Id, "Category");
        var form = await app.AddFormAsync(account.Id);
        var alice = await app.AddSubscriberAsync(account.Id, "alice@convertkit.dev", firstName: "Alice");

        var created = await client.PostAsync($"/v4/forms/{form.Id}/subscribers", new { email_address = "alice@convertkit.dev", referrer = Referrer }, 201);
        var again = await client.PostAsync($"/v4/forms/{form.Id}/subscribers", new { email_address = "Alice@ConvertKit.dev", referrer = "https://elsewhere.test/" }, 200);

        var expected = $$"""
            {"subscriber":{"id":{{alice.Id}},"first_name":"Alice","email_address":"alice@convertkit.dev","state":"active",
             "created_at":"2024-05-01T10:00:00Z","added_at":"2024-05-01T10:00:00Z","referrer":"{{Referrer}}",
             "referrer_utm_parameters":{"source":"facebook","medium":"cpc","campaign":"black_friday","term":"car_owners","content":"get_10_off"},
             "fields":{"category":null} } }
            """;
        AssertJson(expected, created);
        AssertJson(expected, again);
        Assert.Equal([("form_subscribe", alice.Id, form.Id.ToString())], await app.OutboxAsync());
        var list = await client.GetAsync($"/v4/forms/{form.Id}/subscribers");
        AssertJson(expected, new JsonObject { ["subscriber"] = list["subscribers"]![0]!.DeepClone() });
        var v3 = JsonNode.Parse(await (await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}")).Content.ReadAsStringAsync())!;
        Assert.Equal(1, v3["total_subscriptions"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task AddSubscriberToFormByEmail_MissingUnknownOrForeign_422Or404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var form = await app.AddFormAsync(account.Id);
        var theirs = await app.AddFormAsync(other.Id, "Theirs", uid: "7heir57heir");
        await app.AddSubscriberAsync(account.Id, "ann@example.com");
        await app.AddSubscriberAsync(other.Id, "stranger@example.com");

        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers", 422, new { }, V4Error.FormSubscriberRequired);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers", 422, new { email_address = "  " }, V4Error.FormSubscriberRequired);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers", 404, new { email_address = "nobody@example.com" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers", 404, new { email_address = "stranger@example.com" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{theirs.Id}/subscribers", 404, new { email_address = "ann@example.com" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers", 400, new { email_address = new[] { "ann@example.com" } }, "email_address must be a string");

        Assert.Empty(await app.SubscriptionsAsync());
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task AddSubscriberToForm_ById_WithReferrer_201Then200_ForeignIds404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var form = await app.AddFormAsync(account.Id);
        var theirs = await app.AddFormAsync(other.Id, "Theirs", uid: "7heir57heir");
        var bob = await app.AddSubscriberAsync(account.Id, "bob@example.com");
        var stranger = await app.AddSubscriberAsync(other.Id, "stranger@example.com");

        var created = await client.PostAsync($"/v4/forms/{form.Id}/subscribers/{bob.Id}", new { referrer = "https://blog.test/post?utm_source=blog" }, 201);
        await client.PostAsync($"/v4/forms/{form.Id}/subscribers/{bob.Id}", new { referrer = "https://blog.test/post" }, 200);
        var bare = await client.PostAsync($"/v4/forms/{form.Id}/subscribers/{(await app.AddSubscriberAsync(account.Id, "cy@example.com")).Id}", new { }, 201);

        Assert.Equal("https://blog.test/post?utm_source=blog", created["subscriber"]!["referrer"]!.GetValue<string>());
        AssertJson("""{"source":"blog","medium":"","campaign":"","term":"","content":""}""", created["subscriber"]!["referrer_utm_parameters"]);
        Assert.Equal("", bare["subscriber"]!["referrer"]!.GetValue<string>());
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{form.Id}/subscribers/{stranger.Id}", 404, new { referrer = "x" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/{theirs.Id}/subscribers/{bob.Id}", 404, new { referrer = "x" }, V4Error.NotFoundMessage);
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/forms/999999/subscribers/{bob.Id}", 404, new { referrer = "x" }, V4Error.NotFoundMessage);
        Assert.Equal(2, (await app.OutboxAsync()).Count(e => e.Event == "form_subscribe"));
    }

    [Theory, Providers]
    public async Task AddSubscriberToDoubleOptInForm_InactiveUntilConfirmed_AsThroughV3(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.AddCustomFieldAsync(account.Id, "Category");
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com", state: SubscriberStates.Inactive);

        var added = await client.PostAsync($"/v4/forms/{form.Id}/subscribers", new { email_address = "jon@example.com" }, 201);

        Assert.Equal("inactive", added["subscriber"]!["state"]!.GetValue<string>());
        Assert.Empty(await app.OutboxAsync());
        Assert.Empty((await client.GetAsync($"/v4/forms/{form.Id}/subscribers")).Ids("subscribers"));
        Assert.Equal([jon.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers?status=inactive")).Ids("subscribers"));

        await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None);
        var link = new Uri(ConfirmLink().Match(Assert.Single(sink.To("jon@example.com")).HtmlBody!).Value);
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync(link.PathAndQuery, new StringContent(""))).StatusCode);

        Assert.Equal([("subscriber_activate", jon.Id, null), ("form_subscribe", jon.Id, form.Id.ToString())], await app.OutboxAsync());
        Assert.Equal([jon.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers")).Ids("subscribers"));
        Assert.Equal(SubscriberStates.Active, (await app.ReloadAsync(jon.Id)).State);
    }

    [Theory, Providers]
    public async Task ListFormSubscribers_FiltersAndForeignForm(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var form = await app.AddFormAsync(account.Id);
        var theirs = await app.AddFormAsync(other.Id, "Theirs", uid: "7heir57heir");
        await app.AddCustomFieldAsync(account.Id, "Category");
        var early = await app.AddSubscriberAsync(account.Id, "early@example.com");
        var late = await app.AddSubscriberAsync(account.Id, "late@example.com");
        var bounced = await app.AddSubscriberAsync(account.Id, "bounced@example.com", state: SubscriberStates.Bounced);
        await app.AddSubscriptionAsync(early, SubscribableTypes.Form, form.Id, createdAt: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await app.AddSubscriptionAsync(late, SubscribableTypes.Form, form.Id);
        await app.AddSubscriptionAsync(bounced, SubscribableTypes.Form, form.Id);

        Assert.Equal([late.Id, early.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers")).Ids("subscribers"));
        Assert.Equal([bounced.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers?status=bounced")).Ids("subscribers"));
        Assert.Equal([late.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers?added_after=2024-04-01")).Ids("subscribers"));
        Assert.Equal([early.Id], (await client.GetAsync($"/v4/forms/{form.Id}/subscribers?added_before=2024-04-01")).Ids("subscribers"));
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/forms/{form.Id}/subscribers?created_before=01/02/2024", 422, null,
            "created_before is incorrectly formatted. Use YYYY-MM-DD.");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/forms/{theirs.Id}/subscribers", 404, null, V4Error.NotFoundMessage);
    }

    [GeneratedRegex(@"http://mailroom\.test/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
