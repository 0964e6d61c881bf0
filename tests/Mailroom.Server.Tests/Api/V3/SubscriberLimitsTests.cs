using System.Net;
using System.Text.Json;
using Mailroom.Data;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>
/// One subscriber rule, every path that writes a subscriber: v3 subscribe to a form, a sequence and a tag,
/// PUT /v3/subscribers/{id}, purchases, a hosted form, a seed file and the CLI. Each path refuses the value with its
/// own kind of answer, says the same thing, and writes nothing (PostgreSQL would otherwise fail on NUL with a 500).
/// </summary>
public sealed class SubscriberLimitsTests
{
    const string Updating = "Error updating subscriber";

    // ASP.NET's form reader refuses a NUL before the form's fields can be told apart, so a hosted form says less.
    const string NulOnPage = ApiError.HostedFormInvalidCharactersMessage;
    const string Same = "same";

    /// <summary>
    /// A value that breaks a rule. HostedForm, Purchase and Seed are those paths' wording (null: the path does not
    /// take the value; Same: the API's message); Cli says whether that path takes it.
    /// </summary>
    public sealed record Rule(string Name, string? Email, string? FirstName, string? FieldKey, string? FieldValue,
        string Message, string? Purchase, string? Seed, string? HostedForm, bool Cli)
    {
        public override string ToString() => Name;

        /// <summary>
        /// The API refuses a NUL anywhere in a request's parameters before any handler (ApiParamsReader), with one 400
        /// for every endpoint; the other paths refuse it with their own answers.
        /// </summary>
        public bool HasNul => $"{Email}{FirstName}{FieldKey}{FieldValue}".Contains('\0');
    }

    // As the server writes it (its encoder leaves "+" alone, JsonSerializer's default would not).
    const string NulRefused = $$"""{"error":"Bad Request","message":"{{ApiError.NulCharacterMessage}}"}""";

    static readonly Rule[] Rules =
    [
        new("email with a control character", "anon3\u0001evil@x.test", null, null, null,
            "Email address is invalid", "email_address is invalid", "is not a valid email address", Same, true),
        new("email with NUL", "anon\0@x.test", null, null, null,
            "Email address is invalid", "email_address is invalid", "is not a valid email address", NulOnPage, true),
        new("email with a right-to-left override", "moc.elpmaxe\u202E@x.test", null, null, null,
            "Email address is invalid", "email_address is invalid", "is not a valid email address", Same, true),
        new("email with a zero-width space", "jon\u200B@x.test", null, null, null,
            "Email address is invalid", "email_address is invalid", "is not a valid email address", Same, true),
        new("first name with NUL", null, "Jo\0n", null, null,
            "First name is invalid", "first_name is invalid", "first_name: contains a control character", NulOnPage, false),
        new("first name with a control character", null, "Jo\u0001n", null, null,
            "First name is invalid", "first_name is invalid", "first_name: contains a control character", Same, false),
        new("first name too long", null, new string('x', 256), null, null,
            "First name is too long (maximum is 255 characters)", "first_name is too long (maximum is 255 characters)",
            "first_name: is longer than 255 characters", Same, false),
        new("field value too long", null, null, "last_name", new string('x', 2001),
            "Fields last_name is too long (maximum is 2000 characters)", null, "fields.last_name: is longer than 2000 characters", null, false),
        new("unknown field's value too long", null, null, "nosuchkey", new string('x', 2001),
            "Fields nosuchkey is too long (maximum is 2000 characters)", null, null, null, false),
        new("field value with NUL", null, null, "last_name", "Sn\0w",
            "Fields last_name is invalid", null, "fields.last_name: contains a control character other than a tab or line break", null, false),
        new("field key with NUL", null, null, "last\0name", "Snow", "Fields key is invalid", null, null, null, false),
    ];

    public static TheoryData<string, Rule> RulesOnProviders()
    {
        var data = new TheoryData<string, Rule>();
        foreach (var provider in new ProvidersAttribute().GetData(null!).Select(row => (string)row[0]))
            foreach (var rule in Rules) data.Add(provider, rule);
        return data;
    }

    [Theory, MemberData(nameof(RulesOnProviders))]
    public async Task BrokenValue_EveryPathRefusesItAlikeAndWritesNothing(string provider, Rule rule)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var sequence = await app.AddSequenceAsync(account.Id);
        var tag = await app.AddTagAsync(account.Id);
        await app.AddFieldAsync(account.Id, "last_name");
        var jonId = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var email = rule.Email ?? "new@example.com";
        Dictionary<string, string?>? fields = rule.FieldKey is null ? null : new() { [rule.FieldKey] = rule.FieldValue };
        var failures = new List<string>();

        async Task ExpectAsync(string path, HttpResponseMessage response, int status, string expected, bool html = false)
        {
            var body = await response.Content.ReadAsStringAsync();
            var wanted = html ? WebUtility.HtmlEncode(expected) : JsonSerializer.Serialize(new { error = Updating, message = expected });
            if (!html && rule.HasNul) (status, wanted) = (400, NulRefused);
            if ((int)response.StatusCode != status || !(html ? body.Contains(wanted) : body == wanted))
                failures.Add($"{path}: expected {status} {wanted}, got {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }

        foreach (var (path, url) in new[] { ("form", $"/v3/forms/{form.Id}/subscribe"), ("sequence", $"/v3/sequences/{sequence.Id}/subscribe"),
                     ("tag", $"/v3/tags/{tag.Id}/subscribe") })
            await ExpectAsync(path, await app.Http.PostAsync(url, HttpAssert.Json(Body(
                ("api_secret", account.ApiSecret), ("email", email), ("first_name", rule.FirstName), ("fields", fields)))), 422, rule.Message);

        await ExpectAsync("PUT subscriber", await app.Http.PutAsync($"/v3/subscribers/{jonId}", HttpAssert.Json(Body(
            ("api_secret", account.ApiSecret), ("email_address", rule.Email), ("first_name", rule.FirstName), ("fields", fields)))), 422, rule.Message);

        if (rule.HostedForm is { } hostedMessage)
        {
            var hosted = await app.Http.PostAsync($"/forms/{form.Uid}/subscribe", HttpAssert.Form(
                ("email_address", email), ("first_name", rule.FirstName ?? "")));
            await ExpectAsync("hosted form", hosted, 422, hostedMessage == Same ? rule.Message : hostedMessage, html: true);
            if (hosted.Content.Headers.ContentType?.MediaType != "text/html") failures.Add("hosted form: answered no page");
        }

        if (rule.Purchase is { } purchaseMessage)
        {
            var purchase = await app.Http.PostAsync("/v3/purchases", HttpAssert.Json(new
            {
                api_secret = account.ApiSecret,
                purchase = new
                {
                    transaction_id = "t1", email_address = email, first_name = rule.FirstName, currency = "USD",
                    products = new[] { new { pid = 1, lid = 1, name = "Disk", unit_price = 5, quantity = 1 } },
                },
            }));
            var body = await purchase.Content.ReadAsStringAsync();
            var wanted = rule.HasNul ? ApiError.NulCharacterMessage : JsonSerializer.Serialize(purchaseMessage).Trim('"');
            if ((int)purchase.StatusCode != 400 || !body.Contains(wanted))
                failures.Add($"purchase: expected 400 with {purchaseMessage}, got {(int)purchase.StatusCode} {body}");
        }

        if (rule.Seed is { } seedMessage)
        {
            var subscriber = new Dictionary<string, object?> { ["email_address"] = email };
            if (rule.FirstName is not null) subscriber["first_name"] = rule.FirstName;
            if (fields is not null) subscriber["fields"] = fields;
            var file = JsonSerializer.Serialize(new
            {
                accounts = new[] { new { name = "Seeded", primary_email_address = "o@seeded.test", custom_fields = new[] { "Last Name" },
                    subscribers = new[] { subscriber } } },
            });
            var run = await CliRunner.SeedAsync(app.Database, file);
            if (run.ExitCode != 1 || !run.Error.StartsWith("error: accounts[0].subscribers[0].", StringComparison.Ordinal) || !run.Error.Contains(seedMessage))
                failures.Add($"seed: expected an error with {seedMessage}, got {run.ExitCode} {run.Error}");
        }

        if (rule.Cli)
        {
            var run = await CliRunner.RunAsync(app.Database, "subscribers", "complain", email, "--account", account.Id.ToString());
            if (run.ExitCode == 0 || !run.Error.Contains("is not a valid email address"))
                failures.Add($"cli complain: expected a refusal, got {run.ExitCode} {run.Error}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var subscribers = await app.SubscribersAsync();
        var jon = Assert.Single(subscribers);
        Assert.Equal(("jon@example.com", "Jon", SubscriberStates.Active), (jon.EmailAddress, jon.FirstName, jon.State));
        Assert.Empty(await app.SubscriptionsAsync());
        Assert.Equal(0, await app.DbAsync(db => db.SubscriberFieldValues.CountAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.Purchases.CountAsync()));
        Assert.Equal(1, await app.DbAsync(db => db.Accounts.CountAsync()));
    }

    [Theory, Providers]
    public async Task Unsubscribe_EmailWithNul_Is400NotA500(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");

        // PostgreSQL refuses NUL even as a query parameter, so the parameters are refused before any query.
        await (await app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon\0@example.com" })))
            .AssertJsonAsync(400, NulRefused);
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
    }

    // Only what the rule is about: a JSON null would be a different request.
    static Dictionary<string, object?> Body(params (string Name, object? Value)[] values) =>
        values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value);

    [Theory]
    [InlineData("jon@example.com")]
    [InlineData("o'neil+news@mail.example.co.uk")]
    [InlineData("first.last-1@x.test")]
    public void EmailAddress_OrdinaryAddress_IsValid(string address) => Assert.True(EmailAddress.IsValid(address));

    /// <summary>IsValid decides plain dot-atoms without MimeKit's parser; wherever it does, the parser must agree.</summary>
    [Theory]
    [InlineData("jon@example.com")] [InlineData("o'neil+news@mail.example.co.uk")] [InlineData("first.last-1@x.test")]
    [InlineData("a!#$%&'*+-/=?^_`{|}~z@example.com")] [InlineData("x@a-b.example.museum")] [InlineData("UPPER.Case@Example.COM")]
    [InlineData("1234567890@example.com")] [InlineData("a.b.c.d.e@sub.sub.example.org")] [InlineData("_@example.io")]
    public void EmailAddress_PlainDotAtom_IsDecidedWithoutTheParser_AndTheParserAgrees(string address)
    {
        Assert.True(EmailAddress.IsPlainDotAtom(address));
        Assert.True(EmailAddress.FitsEnvelope(address));
        Assert.True(EmailAddress.IsValid(address));
    }

    [Theory]
    [InlineData("a.@example.com")] [InlineData(".a@example.com")] [InlineData("a..b@example.com")] [InlineData("user@xn--bcher-kva.example")]
    [InlineData("ü@example.com")] [InlineData("a[b@example.com")]
    public void EmailAddress_AnythingElse_IsLeftToTheParser(string address) => Assert.False(EmailAddress.IsPlainDotAtom(address));

    [Theory]
    [InlineData('\u0000')] [InlineData('\u0001')] [InlineData('\u001F')] [InlineData('\u007F')] [InlineData('\u0085')]
    [InlineData('\u200B')] [InlineData('\u200C')] [InlineData('\u200D')] [InlineData('\u200E')] [InlineData('\u200F')]
    [InlineData('\u202A')] [InlineData('\u202B')] [InlineData('\u202C')] [InlineData('\u202D')] [InlineData('\u202E')]
    [InlineData('\u2066')] [InlineData('\u2067')] [InlineData('\u2068')] [InlineData('\u2069')] [InlineData('\uFEFF')]
    [InlineData('\u00AD')] [InlineData('\u2028')]
    public void EmailAddress_HiddenOrControlCharacterBeforeTheAt_IsInvalid(char c) =>
        Assert.False(EmailAddress.IsValid($"jon{c}snow@example.com"));
}
