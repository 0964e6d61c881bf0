using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Cli;

public sealed class SeedErrorTests
{
    // An account with the given extra properties (each starting with a comma).
    static string A(string extra = "") =>
        $$"""{"accounts":[{"name":"Acme","primary_email_address":"o@acme.test","custom_fields":["Last Name"],"tags":["House Stark","House Lannister"],"forms":[{"name":"F"}],"sequences":[{"name":"S"}]{{extra}}}]}""";

    const string Jon = """{"email_address":"jon@example.com"}""";
    const string Product = """{"name":"Disk","pid":1,"lid":1,"unit_price":5,"quantity":1}""";

    static string Purchase(string extra, string products = Product) =>
        A($$""","purchases":[{"transaction_id":"t1","email_address":"jon@example.com","products":[{{products}}]{{extra}}}]""");

    static string Hook(string @event, string url = "http://127.0.0.1:9000/hook") =>
        A($$""","webhooks":[{"target_url":"{{url}}","event":{{@event}}}]""");

    // Every way a seed file can be wrong, and the one line that says where. Nothing may be written for any of them.
    static readonly (string File, string Error)[] Cases =
    [
        // The document itself.
        ("", "the file is empty"),
        ("{", "invalid JSON at line 1, column 2: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed"),
        ("""{"accounts":[{"name":"A",}]}""", "invalid JSON at line 1, column 26: The JSON object contains a trailing comma at the end which is not supported in this mode"),
        ("[]", "the file must be a JSON object with an \"accounts\" array (line 1, column 2)"),
        ("null", "the file must be a JSON object with an \"accounts\" array"),
        ("{}", "accounts: is required"),
        ("""{"version":2,"accounts":[]}""", "version: unsupported version 2 (this Mailroom reads version 1)"),
        ("""{"accounts":[null]}""", "accounts[0]: must be an object"),
        ("""{"accounts":{}}""", "accounts: must be an array (line 1, column 14)"),
        // Unknown and duplicate properties are errors, never silently dropped.
        ("""{"accounts":[],"acounts":[]}""", "acounts: unknown property (line 1, column 26)"),
        ("{\n  \"accounts\": [\n    {\"name\": \"A\",\n     \"bogus\": 1}\n  ]\n}", "accounts[0].bogus: unknown property (line 4, column 14)"),
        (A(""","tag":["x"]"""), "accounts[0].tag: unknown property (line 1, column 194)"),
        (A(""","subscribers":[{"email_address":"jon@example.com","fields":{},"field":{}}]"""), "accounts[0].subscribers[0].field: unknown property (line 1, column 258)"),
        ("""{"accounts":[{"name":"A","name":"B"}]}""", "accounts[0].name: appears twice (line 1, column 36)"),
        // Accounts.
        ("""{"accounts":[{"primary_email_address":"o@acme.test"}]}""", "accounts[0].name: is required"),
        ("""{"accounts":[{"name":5}]}""", "accounts[0].name: must be a string (line 1, column 23)"),
        ("""{"accounts":[{"name":"A","primary_email_address":"nope"}]}""", "accounts[0].primary_email_address: \"nope\" is not a valid email address"),
        ("""{"accounts":[{"name":"A","primary_email_address":"o@acme.test","api_key":"has space"}]}""", "accounts[0].api_key: must be 1 to 255 characters without spaces"),
        ("""{"accounts":[{"name":"A","primary_email_address":"o@acme.test","api_key":"same_value","api_secret":"same_value"}]}""", "accounts[0].api_secret: must differ from api_key"),
        ("""{"accounts":[{"name":"A","primary_email_address":"a@acme.test","api_key":"k1"},{"name":"B","primary_email_address":"b@acme.test","api_secret":"k1"}]}""",
            "accounts[1].api_secret: is already used by another account in this file"),
        ("""{"accounts":[{"name":"A","primary_email_address":"o@acme.test","rate_limit_per_minute":-1}]}""", "accounts[0].rate_limit_per_minute: must be 0 (no limit) or more"),
        ("""{"accounts":[{"name":"A","primary_email_address":"o@acme.test","rate_limit_per_minute":"many"}]}""",
            "accounts[0].rate_limit_per_minute: must be a whole number (line 1, column 94)"),
        // Custom fields, tags, forms, sequences.
        (A(""","custom_fields":["Last Name","Last Name"]""").Replace("\"custom_fields\":[\"Last Name\"],", ""), "accounts[0].custom_fields[1]: custom field \"Last Name\" is listed twice"),
        (A().Replace("[\"Last Name\"]", "[\"Last Name\",\"last-name\"]"), "accounts[0].custom_fields[1]: \"last-name\" gives the key \"last_name\", which an earlier field already has"),
        (A().Replace("[\"Last Name\"]", "[\"!!!\"]"), "accounts[0].custom_fields[0]: \"!!!\" gives an empty key (use at least one letter or digit)"),
        (A().Replace("[\"Last Name\"]", "[null]"), "accounts[0].custom_fields[0]: must be a string"),
        (A().Replace("\"House Lannister\"", "\"house stark\""), "accounts[0].tags[1]: tag \"house stark\" is listed twice"),
        (A().Replace("\"House Lannister\"", "\" \""), "accounts[0].tags[1]: is required"),
        (A().Replace("{\"name\":\"F\"}", "{\"name\":\"F\",\"type\":\"popup\"}"), "accounts[0].forms[0].type: \"popup\" is not one of embed, hosted"),
        (A().Replace("{\"name\":\"F\"}", "{\"name\":\"F\",\"format\":\"banner\"}"), "accounts[0].forms[0].format: \"banner\" is not one of inline, modal, slide in, sticky bar"),
        (A().Replace("{\"name\":\"F\"}", "{\"name\":\"F\",\"type\":\"hosted\",\"format\":\"inline\"}"), "accounts[0].forms[0].format: applies to embed forms only; landing pages have no format"),
        (A().Replace("{\"name\":\"F\"}", "{\"name\":\"F\",\"double_opt_in\":\"yes\"}"), "accounts[0].forms[0].double_opt_in: must be true or false (line 1, column 180)"),
        (A().Replace("{\"name\":\"F\"}", "{\"name\":\"F\"},{\"name\":\"F\"}"), "accounts[0].forms[1].name: form \"F\" is listed twice"),
        (A().Replace("{\"name\":\"S\"}", "{\"hold\":true}"), "accounts[0].sequences[0].name: is required"),
        (A().Replace("{\"name\":\"F\"}", $"{{\"name\":\"{new string('f', 256)}\"}}"), "accounts[0].forms[0].name: is longer than 255 characters"),
        // Subscribers.
        (A(""","subscribers":[{"email_address":"jon@"}]"""), "accounts[0].subscribers[0].email_address: \"jon@\" is not a valid email address"),
        (A(""","subscribers":[{"first_name":"Jon"}]"""), "accounts[0].subscribers[0].email_address: is required"),
        (A($$""","subscribers":[{{Jon}},{"email_address":"JON@example.com"}]"""), "accounts[0].subscribers[1].email_address: subscriber \"JON@example.com\" is listed twice"),
        (A(""","subscribers":[{"email_address":"jon@example.com","state":"sleeping"}]"""),
            "accounts[0].subscribers[0].state: \"sleeping\" is not one of active, inactive, cancelled, bounced, complained"),
        (A(""","subscribers":[{"email_address":"jon@example.com","created_at":"yesterday"}]"""),
            "accounts[0].subscribers[0].created_at: \"yesterday\" is not a date (write it like 2016-02-28T08:07:00Z)"),
        (A(""","subscribers":[{"email_address":"jon@example.com","created_at":"2016-02-30T00:00:00Z"}]"""),
            "accounts[0].subscribers[0].created_at: \"2016-02-30T00:00:00Z\" is not a date (write it like 2016-02-28T08:07:00Z)"),
        (A(""","subscribers":[{"email_address":"jon@example.com","cancelled_at":"2016-02-28T00:00:00Z"}]"""),
            "accounts[0].subscribers[0].cancelled_at: applies to cancelled subscribers only"),
        (A($$""","subscribers":[{{Jon}},{"email_address":"a@example.com"},{"email_address":"b@example.com","tags":["House Stark","House Targaryen"]}]"""),
            "accounts[0].subscribers[2].tags[1]: unknown tag \"House Targaryen\""),
        (A(""","subscribers":[{"email_address":"jon@example.com","tags":["house stark"]}]"""), "accounts[0].subscribers[0].tags[0]: unknown tag \"house stark\""),
        (A(""","subscribers":[{"email_address":"jon@example.com","forms":["G"]}]"""), "accounts[0].subscribers[0].forms[0]: unknown form \"G\""),
        (A(""","subscribers":[{"email_address":"jon@example.com","sequences":["S","S"]}]"""), "accounts[0].subscribers[0].sequences[1]: sequence \"S\" is listed twice"),
        (A(""","subscribers":[{"email_address":"jon@example.com","cancelled":{"sequences":["T"]}}]"""), "accounts[0].subscribers[0].cancelled.sequences[0]: unknown sequence \"T\""),
        (A(""","subscribers":[{"email_address":"jon@example.com","tags":["House Stark"],"cancelled":{"tags":["House Stark"]}}]"""),
            "accounts[0].subscribers[0].cancelled.tags[0]: tag \"House Stark\" is also listed in tags"),
        (A(""","subscribers":[{"email_address":"jon@example.com","cancelled":{"courses":["S"]}}]"""),
            "accounts[0].subscribers[0].cancelled.courses: unknown property (line 1, column 261)"),
        (A(""","subscribers":[{"email_address":"jon@example.com","fields":{"middle_name":"X"}}]"""),
            "accounts[0].subscribers[0].fields.middle_name: unknown custom field key \"middle_name\" (keys: last_name)"),
        (A(""","subscribers":[{"email_address":"jon@example.com","fields":{"last_name":1}}]"""),
            "accounts[0].subscribers[0].fields.last_name: must be a string (line 1, column 261)"),
        // Broadcasts.
        (A(""","broadcasts":[{"content":"<p>Hi</p>"}]"""), "accounts[0].broadcasts[0].subject: is required"),
        (A(""","broadcasts":[{"subject":"Hi"},{"subject":"Hi"}]"""), "accounts[0].broadcasts[1].subject: broadcast \"Hi\" is listed twice"),
        (A(""","broadcasts":[{"subject":"Hi","send_at":"soon"}]"""), "accounts[0].broadcasts[0].send_at: \"soon\" is not a date (write it like 2016-02-28T08:07:00Z)"),
        (A(""","broadcasts":[{"subject":"Hi","email_address":"from@"}]"""), "accounts[0].broadcasts[0].email_address: \"from@\" is not a valid email address"),
        (A(""","broadcasts":[{"subject":"Hi","sent_to":["nobody@example.com"]}]"""), "accounts[0].broadcasts[0].sent_to[0]: unknown subscriber \"nobody@example.com\""),
        (A($$""","subscribers":[{{Jon}}],"broadcasts":[{"subject":"Hi","sent_to":["jon@example.com","Jon@Example.com"]}]"""),
            "accounts[0].broadcasts[0].sent_to[1]: subscriber \"Jon@Example.com\" is listed twice"),
        (A(""","broadcasts":[{"subject":"Hi","public":"yes"}]"""), "accounts[0].broadcasts[0].public: must be true or false (line 1, column 232)"),
        // Purchases.
        (Purchase("").Replace("\"transaction_id\":\"t1\",", ""), "accounts[0].purchases[0].transaction_id: is required"),
        (Purchase("").Replace("jon@example.com", "jon"), "accounts[0].purchases[0].email_address: \"jon\" is not a valid email address"),
        (Purchase(""","currency":"dollars" """), "accounts[0].purchases[0].currency: \"dollars\" is not a three-letter currency code"),
        (Purchase(""","transaction_time":"03/10/2016" """), "accounts[0].purchases[0].transaction_time: \"03/10/2016\" is not a date (write it like 2016-02-28T08:07:00Z)"),
        (Purchase(""","total":"13" """), "accounts[0].purchases[0].total: must be a number (line 1, column 343)"),
        (Purchase(""","total":100000000000000"""), "accounts[0].purchases[0].total: is too large"),
        (Purchase("", "").Replace("[]", "[]"), "accounts[0].purchases[0].products: needs at least one product"),
        (Purchase("", """{"name":"Disk","lid":1,"unit_price":5,"quantity":1}"""), "accounts[0].purchases[0].products[0].pid: is required"),
        (Purchase("", """{"pid":1,"lid":1,"unit_price":5,"quantity":1}"""), "accounts[0].purchases[0].products[0].name: is required"),
        (Purchase("", """{"name":"Disk","pid":1,"lid":1,"quantity":1}"""), "accounts[0].purchases[0].products[0].unit_price: is required"),
        (Purchase("", """{"name":"Disk","pid":1,"lid":1,"unit_price":1.23456,"quantity":1}"""), "accounts[0].purchases[0].products[0].unit_price: has more than 4 decimal places"),
        (Purchase("", $"{Product},{Product}"), "accounts[0].purchases[0].products[1].lid: line item 1 is listed twice in this purchase"),
        (Purchase("", """{"name":"Disk","pid":1.5,"lid":1,"unit_price":5,"quantity":1}"""),
            "accounts[0].purchases[0].products[0].pid: must be a whole number (line 1, column 294)"),
        (A($$""","purchases":[{"transaction_id":"t1","email_address":"a@x.test","products":[{{Product}}]},{"transaction_id":"t1","email_address":"a@x.test","products":[{{Product}}]}]"""),
            "accounts[0].purchases[1].transaction_id: purchase \"t1\" is listed twice"),
        // Webhooks.
        (A(""","webhooks":[{"target_url":"http://127.0.0.1:9000/hook"}]"""), "accounts[0].webhooks[0].event: is required"),
        (Hook("""{"name":"subscriber.tag_add","tag_id":"House Stark"}""", "ftp://example.com/x"),
            "accounts[0].webhooks[0].target_url: \"ftp://example.com/x\" is not an absolute http or https URL"),
        (Hook("""{"name":"subscriber.tag_add","tag_id":"House Stark"}""", "/relative"),
            "accounts[0].webhooks[0].target_url: \"/relative\" is not an absolute http or https URL"),
        (Hook("""{"name":"tag_add","tag_id":"House Stark"}"""),
            "accounts[0].webhooks[0].event.name: unknown event \"tag_add\" (one of subscriber.subscriber_activate, subscriber.subscriber_unsubscribe, " +
            "subscriber.subscriber_bounce, subscriber.subscriber_complain, subscriber.form_subscribe, subscriber.course_subscribe, subscriber.course_complete, " +
            "subscriber.link_click, subscriber.product_purchase, subscriber.tag_add, subscriber.tag_remove, purchase.purchase_create)"),
        (Hook("""{"name":"subscriber.tag_add"}"""), "accounts[0].webhooks[0].event.tag_id: is required for subscriber.tag_add (the tag's name)"),
        (Hook("""{"name":"subscriber.tag_remove","tag_id":"House Targaryen"}"""), "accounts[0].webhooks[0].event.tag_id: unknown tag \"House Targaryen\""),
        (Hook("""{"name":"subscriber.tag_add","tag_id":1}"""), "accounts[0].webhooks[0].event.tag_id: must be a string (line 1, column 290)"),
        (Hook("""{"name":"subscriber.tag_add","tag_id":"House Stark","form_id":"F"}"""), "accounts[0].webhooks[0].event.form_id: does not apply to subscriber.tag_add"),
        (Hook("""{"name":"subscriber.form_subscribe","form_id":"G"}"""), "accounts[0].webhooks[0].event.form_id: unknown form \"G\""),
        (Hook("""{"name":"subscriber.course_subscribe"}"""), "accounts[0].webhooks[0].event.course_id: is required for subscriber.course_subscribe (the sequence's name)"),
        (Hook("""{"name":"subscriber.course_complete","course_id":"S","sequence_id":"S"}"""), "accounts[0].webhooks[0].event.sequence_id: give course_id or sequence_id, not both"),
        (Hook("""{"name":"subscriber.product_purchase"}"""), "accounts[0].webhooks[0].event.product_id: is required for subscriber.product_purchase"),
        (Hook("""{"name":"subscriber.link_click"}"""), "accounts[0].webhooks[0].event.initiator_value: is required for subscriber.link_click"),
        (Hook("""{"name":"subscriber.subscriber_activate","initiator_value":"x"}"""), "accounts[0].webhooks[0].event.initiator_value: does not apply to subscriber.subscriber_activate"),
        (Hook("""{"name":"purchase.purchase_create","event_id":1}"""), "accounts[0].webhooks[0].event.event_id: unknown property (line 1, column 297)"),
    ];

    [Theory, Providers]
    public async Task Seed_BrokenFile_PrintsWhereAndChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        var before = await CliRunner.CountRowsAsync(app);

        var failures = new List<string>();
        foreach (var (file, error) in Cases)
        {
            var run = await CliRunner.SeedAsync(app.Database, file);
            if (run.ExitCode != 1 || run.Error != $"error: {error}{Environment.NewLine}" || run.Output != "")
                failures.Add($"{file}\n  expected: {error}\n  got {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await CliRunner.CountRowsAsync(app));
    }

    [Theory, Providers]
    public async Task Seed_MinimalAccount_UsesDefaults(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.SeedAsync(app.Database, """{"accounts":[{"name":"Tiny","primary_email_address":"t@tiny.test"}]}""");

        run.AssertSuccess();
        var output = System.Text.Json.Nodes.JsonNode.Parse(run.Output)!["accounts"]![0]!.AsObject();
        output.Remove("api_key");
        output.Remove("api_secret");
        Assert.Equal("""{"id":1,"name":"Tiny","forms":{},"sequences":{},"tags":{},"custom_fields":{},"subscribers":{},"broadcasts":{},"purchases":{},"webhooks":[]}""",
            output.ToJsonString());
        var account = await app.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Accounts));
        Assert.Equal(("creator", (int?)null), (account.PlanType, account.RateLimitPerMinute));
    }
}
