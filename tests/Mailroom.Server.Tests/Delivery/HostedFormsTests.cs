using System.Net;
using Mailroom.Data;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

public sealed class HostedFormsTests
{
    [Theory, Providers]
    public async Task EmbedUrl_EmbedForm_ServesAccessibleFormPostingToItself(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.GetAsync($"/forms/{form.Uid}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<form class=\"mailroom-form\" method=\"post\" action=\"http://mailroom.test/forms/{form.Uid}/subscribe\">", html);
        Assert.Contains($"<label for=\"mr-email-{form.Uid}\">Email address</label>", html);
        Assert.Contains("name=\"email_address\" required", html);
        Assert.Contains("name=\"website\" tabindex=\"-1\"", html);
        Assert.Contains("<h1>Join us</h1>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("https://", html);
    }

    [Theory, Providers]
    public async Task Url_LandingPage_ShowsTitleDescriptionAndButton(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var page = await app.AddFormAsync(account.Id, "Launch", type: FormTypes.Hosted);
        await app.DbAsync(db => db.Forms.Where(f => f.Id == page.Id).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Title, "Big <news>").SetProperty(f => f.Description, "<p>Be <em>first</em>.</p>").SetProperty(f => f.SignUpButtonText, "Notify me")));

        var html = await (await app.Http.GetAsync($"/forms/{page.Uid}")).Content.ReadAsStringAsync();

        Assert.Contains("<h1>Big &lt;news&gt;</h1>", html);
        Assert.Contains("<p>Be <em>first</em>.</p>", html);
        Assert.Contains("<button type=\"submit\">Notify me</button>", html);
    }

    [Theory, Providers]
    public async Task EmbedUrl_UnknownOrArchivedForm_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var archived = await app.AddFormAsync(account.Id, archived: true);

        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync("/forms/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/forms/{archived.Uid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.PostAsync($"/forms/{archived.Uid}/subscribe", HttpAssert.Form(("email_address", "a@example.com")))).StatusCode);
    }

    [Theory, Providers]
    public async Task EmbedJs_ServesScriptRenderingTheForm(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.GetAsync($"/forms/{form.Uid}/index.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var js = await response.Content.ReadAsStringAsync();
        Assert.Contains("document.currentScript", js);
        Assert.Contains($"/forms/{form.Uid}/subscribe", js);
    }

    [Theory, Providers]
    public async Task SignUp_DoubleOptInForm_SubscribesPendingShowsSuccessAndMailsConfirmation(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var other = await app.AddFormAsync(account.Id, "Other", uid: "otherform1");

        var response = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(
            ("email_address", "jon@example.com"), ("first_name", "Jon"), ("website", ""), ("form_id", other.Id.ToString()), ("forms[]", other.Id.ToString())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Thanks!", await response.Content.ReadAsStringAsync());
        var subscriber = (await app.SubscribersAsync()).Single();
        Assert.Equal(("jon@example.com", "Jon", SubscriberStates.Inactive), (subscriber.EmailAddress, subscriber.FirstName, subscriber.State));
        // A form accepts sign-ups only for itself, whatever else the post names.
        var subscription = (await app.SubscriptionsAsync()).Single();
        Assert.Equal(("form", form.Id, SubscriptionStates.Inactive), (subscription.SubscribableType, subscription.SubscribableId, subscription.State));
        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));
        Assert.Single(sink.To("jon@example.com"));

        // A form with no message of its own tells the reader to confirm, not that they are subscribed.
        await app.DbAsync(db => db.Forms.Where(f => f.Id == form.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.SuccessMessage, (string?)null)));
        var second = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", "arya@example.com")));
        Assert.Contains("Success! Now check your email to confirm your subscription.", await second.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task SignUp_FilledHoneypot_PretendsSuccessAndStoresNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", "bot@example.com"), ("website", "http://spam")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task SignUp_InvalidEmail_ShowsTheFormAgainWithAnError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", "not-an-email")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("name=\"email_address\"", html);
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task SignUp_FromEmbedScript_AnswersJsonWithCors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/forms/{form.Uid}/subscribe") { Content = HttpAssert.Form(("email_address", "jon@example.com")) };
        request.Headers.Accept.ParseAdd("application/json");

        var response = await app.Http.SendAsync(request);

        await response.AssertJsonAsync(200, """{"status":"success","message":"Thanks!"}""");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
    }

    [Theory, Providers]
    public async Task SignUp_TooManyFromOneAddress_Returns429(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["HostedForms:PostsPerMinutePerIp"] = "2" });
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", $"s{i}@example.com")))).StatusCode);
        var third = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", "s3@example.com")));

        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.Equal(2, (await app.SubscribersAsync()).Count);
    }

    [Theory, Providers]
    public async Task SignUp_NulOrControlCharacters_ShowTheFormWithKitsMessageNotA500(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        // ASP.NET's form reader refuses a NUL in any field, and PostgreSQL refuses NUL in text: both were a 500.
        foreach (var (email, firstName, message) in new[]
                 {
                     ("jon\0@example.com", "Jon", ApiError.HostedFormInvalidCharactersMessage),
                     ("jon@example.com", "Jo\0n", ApiError.HostedFormInvalidCharactersMessage),
                     ("anon3\u0001evil@x.test", "", ApiError.EmailInvalidMessage),
                     ("jon\u202Eevil@x.test", "", ApiError.EmailInvalidMessage),
                     ("jon@example.com", "Jo\u0001n", ApiError.FirstNameInvalidMessage),
                 })
        {
            var response = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(("email_address", email), ("first_name", firstName)));

            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {html}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(message)}</p>", html);
            Assert.Contains("name=\"email_address\"", html);
        }
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task SignUp_MoreThan1024Fields_Answers400WithTheFormNotA500(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var post = Enumerable.Range(0, 1025).Select(i => ($"f{i}", "x")).Prepend(("email_address", "jon@example.com")).ToArray();

        var page = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(post));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/forms/{form.Uid}/subscribe") { Content = HttpAssert.Form(post) };
        request.Headers.Accept.ParseAdd("application/json");
        var json = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("name=\"email_address\"", html);
        await json.AssertJsonAsync(400, System.Text.Json.JsonSerializer.Serialize(new { status = "error", message = ApiError.HostedFormTooManyFieldsMessage }));
        Assert.Empty(await app.SubscribersAsync());
    }
}
