using Mailroom.Server.Cli;
using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Hostile templates (issue 16, item 2): refused when saved through the API or the CLI, and, should one reach the
/// database some other way, stopped by the render bounds with a reason instead of exhausting memory or a core.
/// Memory is measured as bytes this thread allocated during the render (renders run synchronously), so no assertion
/// depends on the machine's speed.
/// </summary>
public sealed class TemplateLimitTests : IDisposable
{
    // Doubles a one-character string n times: 2^n characters.
    static string Doubled(int rounds) => $"{{% assign s = \"x\" %}}{{% for i in (1..{rounds}) %}}{{% assign s = s | append: s %}}{{% endfor %}}";

    static readonly string Long = new('y', 1000);

    public static TheoryData<string, string> Hostile => new()
    {
        { "{% include 'header' %}", "the {% include %} tag is not allowed" },
        { "{% render 'footer' %}", "the {% render %} tag is not allowed" },
        { "{% if true %}{% for i in (1..2) %}{% include 'x' %}{% endfor %}{% endif %}", "the {% include %} tag is not allowed" },
        { "{% for i in (1..1000000000) %}{{ i }}{% endfor %}", "the template built a list of 1,000,000,000 items; at most 100,000 are allowed" },
        { Doubled(64) + "{{ s }}", "a value in the template grew past 1,000,000 characters" },
        { "{% capture s %}x{% endcapture %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}", "a value in the template grew past 1,000,000 characters" },
        { "{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}", "the template ran more than 100,000 steps" },
        { Doubled(16) + $"{{{{ s | replace: \"x\", \"{Long}\" }}}}", "a value in the template grew past 1,000,000 characters" },
        { $"{{{{ (1..100000) | join: \"{Long}\" }}}}", "a value in the template grew past 1,000,000 characters" },
        { Doubled(16) + "{% for i in (1..1000) %}{{ s }}{% endfor %}", "the template's output grew past 1,000,000 characters" },
    };

    static readonly SubscriberView Jon = new(1, "Jon", "jon@example.com", "active", DateTime.UnixEpoch, new Dictionary<string, string?>());

    [Theory, MemberData(nameof(Hostile))]
    public void Render_HostileTemplate_ThrowsTemplateLimitExceptionWithinBoundedMemory(string template, string reason)
    {
        var renderer = new TemplateRenderer();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<TemplateLimitException>(() => renderer.Render(template, Jon, null, html: true));

        Assert.StartsWith(reason, e.Message);
        // The largest legitimate value is 1M characters (2 MB); a handful of those is the most a render may hold.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
    }

    [Fact]
    public void Render_TimeLimit_StopsATemplateThatStillHasWorkToDo()
    {
        var renderer = new TemplateRenderer(RenderLimits.Default with { MaxTime = TimeSpan.Zero });

        var e = Assert.Throws<TemplateLimitException>(() => renderer.Render("{% for i in (1..10) %}{{ i }}{% endfor %}", Jon, null, html: true));

        Assert.Equal("the template took longer than 0 ms to render", e.Message);
    }

    [Fact]
    public void Render_WithinLimits_RendersAsBefore()
    {
        var renderer = new TemplateRenderer();

        var html = renderer.Render(Doubled(3) + "{% capture c %}<{{ subscriber.first_name }}>{% endcapture %}{{ s }} {{ c }} {% for i in (1..3) %}{{ i }}{% endfor %} {{ \"a-b\" | replace: \"-\", \"_\" }}",
            Jon with { FirstName = "<b>" }, null, html: true);

        Assert.Equal("xxxxxxxx <&lt;b&gt;> 123 a_b", html);
    }

    [Theory, Providers]
    public async Task CreateAndUpdateBroadcast_HostileContent_Returns422WithTheReasonAndSavesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var draft = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "Hi", content = "<p>ok</p>" }));
        var id = (await draft.AssertStatusAsync(201))["broadcast"]!["id"]!.GetValue<long>();

        foreach (var row in Hostile)
        {
            var (template, reason) = ((string)row[0], (string)row[1]);
            var created = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, content = template }));
            var updated = await app.Http.PutAsync($"/v3/broadcasts/{id}", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = template }));

            var body = await created.AssertStatusAsync(422);
            Assert.Equal("Unprocessable Entity", body["error"]!.GetValue<string>());
            Assert.StartsWith($"Content is not a valid Liquid template: {reason}", body["message"]!.GetValue<string>());
            Assert.StartsWith($"Subject is not a valid Liquid template: {reason}", (await updated.AssertStatusAsync(422))["message"]!.GetValue<string>());
        }
        var saved = await app.DbAsync(db => db.Broadcasts.SingleAsync());
        Assert.Equal(("Hi", "<p>ok</p>"), (saved.Subject, saved.Content));
    }

    readonly string _dir = Directory.CreateTempSubdirectory("mailroom-template-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory, Providers]
    public async Task LayoutsAdd_IncludeOrRunawayLoop_ExitsNonZeroWithTheReasonAndSavesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        string[] settings = [$"--Database:Provider={app.Database.Provider}", $"--Database:ConnectionString={app.Database.ConnectionString}", "--Demo:Enabled=false"];

        foreach (var (html, reason) in new[]
                 {
                     ("{{ content }}{% render 'footer' %}", "the {% render %} tag is not allowed"),
                     ("{{ content }}{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}", "the template ran more than 100,000 steps"),
                 })
        {
            var file = Path.Combine(_dir, $"{Guid.NewGuid():N}.html");
            await File.WriteAllTextAsync(file, html);
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await CliApp.RunAsync(["layouts", "add", "--account", account.Id.ToString(), "--name", "Hostile", "--file", file, .. settings], output, error);

            Assert.Equal(1, exit);
            Assert.StartsWith($"error: the layout is not a valid Liquid template: {reason}", error.ToString());
        }
        Assert.Equal(0, await app.DbAsync(db => db.EmailLayouts.CountAsync()));
    }

    [Theory, Providers]
    public async Task Seed_BroadcastWithIncludeOrHugeRange_PrintsWhereAndWhyAndChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        static string Seed(string broadcast) =>
            $$"""{"accounts":[{"name":"Acme","primary_email_address":"o@acme.test","broadcasts":[{{broadcast}}]}]}""";

        var include = await Cli.CliRunner.SeedAsync(app.Database, Seed("""{"subject":"Hi","content":"{% include 'x' %}"}"""));
        var range = await Cli.CliRunner.SeedAsync(app.Database, Seed("""{"subject":"{% for i in (1..1000000000) %}{% endfor %}"}"""));

        include.AssertFailure(1, "error: accounts[0].broadcasts[0].content: is not a valid Liquid template: " + RenderLimits.ForbiddenTag("include"));
        range.AssertFailure(1, "error: accounts[0].broadcasts[0].subject: is not a valid Liquid template: "
                              + RenderLimits.Default.ItemsExceeded(1_000_000_000));
        Assert.Equal(0, await app.DbAsync(db => db.Accounts.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_TrialRenderFailsForAnotherReason_IsSavedAsBefore(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, content = "{{ 1 | divided_by: 0 }}{{ subscriber.first_name | date: 5 }}",
        }));

        await response.AssertStatusAsync(201);
    }
}
