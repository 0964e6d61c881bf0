using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class FormsApiTests
{
    const string Created = "2024-05-01T10:00:00.000Z";
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    [Theory, Providers]
    public async Task ListForms_WithKey_ReturnsFormsAndLandingPagesWithEveryField(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var embed = await app.AddFormAsync(account.Id, "Newsletter", uid: "aaaaaaaaaa");
        var hosted = await app.AddFormAsync(account.Id, "Launch page", type: FormTypes.Hosted, uid: "bbbbbbbbbb", archived: true);
        await app.AddFormAsync(other.Id, "Not mine", uid: "cccccccccc");

        var response = await app.Http.GetAsync($"/v3/forms?api_key={account.ApiKey}");

        await response.AssertJsonAsync(200, $$"""
            {"forms":[
              {"id":{{embed.Id}},"name":"Newsletter","created_at":"{{Created}}","type":"embed","format":"inline",
               "embed_js":"http://mailroom.test/forms/aaaaaaaaaa/index.js","embed_url":"http://mailroom.test/forms/aaaaaaaaaa",
               "archived":false,"uid":"aaaaaaaaaa","url":"http://mailroom.test/forms/aaaaaaaaaa","title":"Join us",
               "description":null,"sign_up_button_text":"Subscribe","success_message":"Thanks!"},
              {"id":{{hosted.Id}},"name":"Launch page","created_at":"{{Created}}","type":"hosted","format":null,
               "embed_js":"http://mailroom.test/forms/bbbbbbbbbb/index.js","embed_url":"http://mailroom.test/forms/bbbbbbbbbb",
               "archived":true,"uid":"bbbbbbbbbb","url":"http://mailroom.test/forms/bbbbbbbbbb","title":null,
               "description":null,"sign_up_button_text":"Subscribe","success_message":null}
            ]}
            """);
    }

    [Theory, Providers]
    public async Task ListForms_NoForms_ReturnsEmptyArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/forms/?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """{"forms":[]}""");
    }

    [Theory, Providers]
    public async Task GetForm_WithKey_ReturnsBareForm(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, "Newsletter", uid: "aaaaaaaaaa");

        var response = await app.Http.GetAsync($"/v3/forms/{form.Id}?api_key={account.ApiKey}");

        await response.AssertJsonAsync(200, $$"""
            {"id":{{form.Id}},"name":"Newsletter","created_at":"{{Created}}","type":"embed","format":"inline",
             "embed_js":"http://mailroom.test/forms/aaaaaaaaaa/index.js","embed_url":"http://mailroom.test/forms/aaaaaaaaaa",
             "archived":false,"uid":"aaaaaaaaaa","url":"http://mailroom.test/forms/aaaaaaaaaa","title":"Join us",
             "description":null,"sign_up_button_text":"Subscribe","success_message":"Thanks!"}
            """);
    }

    [Theory, Providers]
    public async Task GetForm_UnknownOrOtherAccountsForm_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var foreign = await app.AddFormAsync(other.Id);

        await (await app.Http.GetAsync($"/v3/forms/{foreign.Id}?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/forms/999999?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/forms/abc?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task ListSubscriptionForms_WithKey_ReturnsBareArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var empty = await app.CreateAccountAsync("Empty", "empty@acme.test");
        var first = await app.AddFormAsync(account.Id, uid: "aaaaaaaaaa");
        var second = await app.AddFormAsync(account.Id, uid: "bbbbbbbbbb", archived: true);

        var response = await app.Http.GetAsync($"/v3/subscription_forms?api_key={account.ApiKey}");
        var none = await app.Http.GetAsync($"/v3/subscription_forms?api_key={empty.ApiKey}");

        await response.AssertJsonAsync(200, $$"""
            [{"id":{{first.Id}},"form_id":{{first.Id}},"archived":false},{"id":{{second.Id}},"form_id":{{second.Id}},"archived":true}]
            """);
        await none.AssertJsonAsync(200, "[]");
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_120Subscriptions_PagesOf50(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        await app.DbAsync(async db =>
        {
            for (var i = 0; i < 120; i++)
            {
                var s = new Subscriber
                {
                    AccountId = account.Id, EmailAddress = $"s{i:000}@example.com", NormalizedEmail = $"s{i:000}@example.com",
                    State = "active", CreatedAt = SubscriptionArrange.Now, UpdatedAt = SubscriptionArrange.Now,
                };
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = account.Id, Subscriber = s, SubscribableType = "form", SubscribableId = form.Id, State = "active",
                    CreatedAt = SubscriptionArrange.Now.AddSeconds(i), UpdatedAt = SubscriptionArrange.Now,
                });
            }
            await db.SaveChangesAsync();
        });

        async Task<(int Page, int TotalPages, long Total, List<string> Emails)> PageAsync(string query)
        {
            var json = await (await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}{query}")).AssertStatusAsync(200);
            return (json["page"]!.GetValue<int>(), json["total_pages"]!.GetValue<int>(), json["total_subscriptions"]!.GetValue<long>(),
                [.. json["subscriptions"]!.AsArray().Select(s => s!["subscriber"]!["email_address"]!.GetValue<string>())]);
        }

        var first = await PageAsync("");
        var pageZero = await PageAsync("&page=0");
        var third = await PageAsync("&page=3");
        var past = await PageAsync("&page=4");
        var lastDesc = await PageAsync("&page=3&sort_order=desc");

        Assert.Equal((1, 3, 120L), (first.Page, first.TotalPages, first.Total));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"s{i:000}@example.com"), first.Emails);
        Assert.Equal(first.Emails, pageZero.Emails);
        Assert.Equal((3, 3, 120L), (third.Page, third.TotalPages, third.Total));
        Assert.Equal(Enumerable.Range(100, 20).Select(i => $"s{i:000}@example.com"), third.Emails);
        Assert.Equal((4, 3, 120L), (past.Page, past.TotalPages, past.Total));
        Assert.Empty(past.Emails);
        Assert.Equal(Enumerable.Range(0, 20).Reverse().Select(i => $"s{i:000}@example.com"), lastDesc.Emails);
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_StatesAndSortOrder_FilterAndBreakTiesById(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        await app.AddFieldAsync(account.Id, "city");
        var later = SubscriptionArrange.Now.AddMinutes(1);
        // Same created_at for a and b (a tie, broken by id); c earlier than both; d cancelled; e pending.
        var a = await app.AddSubscriberAsync(account.Id, "a@example.com");
        var b = await app.AddSubscriberAsync(account.Id, "b@example.com");
        var c = await app.AddSubscriberAsync(account.Id, "c@example.com");
        var d = await app.AddSubscriberAsync(account.Id, "d@example.com", SubscriberStates.Cancelled);
        var e = await app.AddSubscriberAsync(account.Id, "e@example.com", SubscriberStates.Inactive);
        var sa = await app.AddSubscriptionAsync(a, "form", form.Id, createdAt: later);
        var sb = await app.AddSubscriptionAsync(b, "form", form.Id, createdAt: later);
        var sc = await app.AddSubscriptionAsync(c, "form", form.Id);
        var sd = await app.AddSubscriptionAsync(d, "form", form.Id, SubscriptionStates.Cancelled);
        await app.AddSubscriptionAsync(e, "form", form.Id, SubscriptionStates.Inactive);

        var asc = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}&sort_order=asc");
        var desc = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}&sort_order=DESC");
        var cancelled = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=cancelled");

        string Item(Subscription s, Subscriber x, string at) => $$"""
            {"id":{{s.Id}},"state":"{{s.State}}","created_at":"{{at}}","source":null,"referrer":null,"subscribable_id":{{form.Id}},
             "subscribable_type":"form","subscriber":{"id":{{x.Id}},"first_name":null,"email_address":"{{x.EmailAddress}}",
             "state":"{{x.State}}","created_at":"{{Created}}","fields":{"city":null} } }
            """;
        const string At = "2024-05-01T10:01:00.000Z";
        await asc.AssertJsonAsync(200, $$"""
            {"total_subscriptions":3,"page":1,"total_pages":1,"subscriptions":[{{Item(sc, c, Created)}},{{Item(sa, a, At)}},{{Item(sb, b, At)}}]}
            """);
        await desc.AssertJsonAsync(200, $$"""
            {"total_subscriptions":3,"page":1,"total_pages":1,"subscriptions":[{{Item(sb, b, At)}},{{Item(sa, a, At)}},{{Item(sc, c, Created)}}]}
            """);
        await cancelled.AssertJsonAsync(200, $$"""
            {"total_subscriptions":1,"page":1,"total_pages":1,"subscriptions":[{{Item(sd, d, Created)}}]}
            """);
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_Empty_ReturnsZeroTotals(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """{"total_subscriptions":0,"page":1,"total_pages":0,"subscriptions":[]}""");
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_BadParameters_Return422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var url = $"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}";

        await (await app.Http.GetAsync($"{url}&sort_order=sideways"))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Sort order must be asc or desc"}""");
        await (await app.Http.GetAsync($"{url}&subscriber_state=inactive"))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Subscriber state must be active or cancelled"}""");
        await (await app.Http.GetAsync($"{url}&page=two"))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"page must be an integer"}""");
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_UnknownOrOtherAccountsForm_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var foreign = await app.AddFormAsync(other.Id);

        await (await app.Http.GetAsync($"/v3/forms/{foreign.Id}/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/forms/999999/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
    }

    [Theory, Providers]
    public async Task ListFormSubscriptions_WithKeyOnly_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_key={account.ApiKey}");

        await response.AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }

    [Theory, Providers]
    public async Task SubscribeThenList_PendingFormSubscription_AppearsInNeitherList(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);

        var active = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}");
        var cancelled = await app.Http.GetAsync($"/v3/forms/{form.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=cancelled");

        await active.AssertJsonAsync(200, """{"total_subscriptions":0,"page":1,"total_pages":0,"subscriptions":[]}""");
        await cancelled.AssertJsonAsync(200, """{"total_subscriptions":0,"page":1,"total_pages":0,"subscriptions":[]}""");
        Assert.Equal(1, await app.DbAsync(db => db.Subscriptions.CountAsync()));
    }
}
