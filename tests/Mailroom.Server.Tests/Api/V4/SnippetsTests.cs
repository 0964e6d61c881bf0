using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/snippets: create (inline and block), list filters, get, update (type fixed, archive, versions), cycles.</summary>
public sealed class SnippetsTests
{
    const string Circular = "Snippet cannot reference itself, directly or through other snippets";

    static long Id(JsonNode node) => node["snippet"]!["id"]!.GetValue<long>();

    [Theory, Providers]
    public async Task Create_Inline_Returns201WithKitsShape_KeyFromName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        var created = await client.PostAsync("/v4/snippets", new
        {
            name = "Cat Fact of the Day", snippet_type = "inline",
            content = "Did you know, {{ subscriber.first_name }}? Cats can rotate their ears 180 degrees.",
        }, 201);

        var id = Id(created);
        BroadcastsTests.AssertJson("""
            {"snippet":{"id":__ID__,"name":"Cat Fact of the Day","snippet_type":"inline","archived":false,"key":"cat-fact-of-the-day","created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:00:00Z","content":"Did you know, {{ subscriber.first_name }}? Cats can rotate their ears 180 degrees.","document":{"id":__ID__,"value":null,"value_html":"","value_plain":null,"version":1}}}
            """.Replace("__ID__", id.ToString()), created);
    }

    [Theory, Providers]
    public async Task Create_Block_StoresHtmlVerbatim_AndSameNameGetsAFreshKey(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        const string html = "<h2>Welcome!</h2><script>alert('x')</script>\n  <p>Indented</p>";

        var first = await client.PostAsync("/v4/snippets", new { name = "Welcome message", snippet_type = "block", document_attributes = new { value_html = html } }, 201);
        var second = await client.PostAsync("/v4/snippets", new { name = "Welcome  Message!", snippet_type = "inline", content = "Hi" }, 201);

        Assert.Equal("welcome-message", first["snippet"]!["key"]!.GetValue<string>());
        Assert.Equal(html, first["snippet"]!["document"]!["value_html"]!.GetValue<string>());
        Assert.Equal("welcome-message-2", second["snippet"]!["key"]!.GetValue<string>());
        Assert.Equal(html, await app.DbAsync(db => db.Snippets.Where(s => s.Id == Id(first)).Select(s => s.ValueHtml).SingleAsync()));
        using var raw = await client.SendAsync(HttpMethod.Get, $"/v4/snippets/{Id(first)}");
        Assert.DoesNotContain("<script>", await raw.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task Create_BadInput_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = " ", snippet_type = "inline", content = "x" }, "name can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = "A", snippet_type = "video" }, "snippet_type must be one of: inline, block");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = "A", snippet_type = "inline" }, "content can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = "A", snippet_type = "block", document_attributes = new { } },
            "document_attributes.value_html can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = new string('n', 256), snippet_type = "inline", content = "x" },
            "name is too long (maximum is 255 characters)");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = "A", snippet_type = "inline", content = "{% if %}" },
            "content is not a valid Liquid template: Invalid 'if' tag at (1:6)");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/snippets", 422, new { name = "Loop", snippet_type = "inline", content = "again {{ snippet.loop }}" }, Circular);
        using var wrongType = await client.SendAsync(HttpMethod.Post, "/v4/snippets", new { name = "A", snippet_type = "block", document_attributes = "x" });
        Assert.True((int)wrongType.StatusCode is 400 or 422);
        Assert.Equal(0, await app.DbAsync(db => db.Snippets.CountAsync()));
    }

    [Theory, Providers]
    public async Task Update_TypeIsFixed_BodyEditsBumpVersion_RenameKeepsKey_ArchiveAndRestore(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var id = Id(await client.PostAsync("/v4/snippets", new { name = "Welcome message", snippet_type = "inline", content = "Hello" }, 201));

        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/snippets/{id}", 422, new { snippet_type = "block" }, "snippet_type cannot be changed");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/snippets/{id}", 422, new { document_attributes = new { value_html = "<p>x</p>" } }, "snippet_type cannot be changed");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/snippets/{id}", 422, new { name = "" }, "name can't be blank");

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var renamed = await client.PutAsync($"/v4/snippets/{id}", new { name = "Dog Fact of the Day", snippet_type = "inline" });
        Assert.Equal(("Dog Fact of the Day", "welcome-message", 1), (renamed["snippet"]!["name"]!.GetValue<string>(),
            renamed["snippet"]!["key"]!.GetValue<string>(), renamed["snippet"]!["document"]!["version"]!.GetValue<int>()));
        Assert.Equal("2024-05-01T10:01:00Z", renamed["snippet"]!["updated_at"]!.GetValue<string>());
        var edited = await client.PutAsync($"/v4/snippets/{id}", new { content = "Hello {{ subscriber.first_name }}" });
        Assert.Equal(2, edited["snippet"]!["document"]!["version"]!.GetValue<int>());
        var same = await client.PutAsync($"/v4/snippets/{id}", new { content = "Hello {{ subscriber.first_name }}" });
        Assert.Equal(2, same["snippet"]!["document"]!["version"]!.GetValue<int>());

        var archived = await client.PutAsync($"/v4/snippets/{id}", new { archived = true });
        Assert.True(archived["snippet"]!["archived"]!.GetValue<bool>());
        Assert.Empty((await client.GetAsync("/v4/snippets"))["snippets"]!.AsArray());
        Assert.Single((await client.GetAsync("/v4/snippets?archived=true"))["snippets"]!.AsArray());
        var restored = await client.PutAsync($"/v4/snippets/{id}", new { archived = false });
        Assert.False(restored["snippet"]!["archived"]!.GetValue<bool>());
    }

    [Theory, Providers]
    public async Task Update_IndirectCycle_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var a = Id(await client.PostAsync("/v4/snippets", new { name = "A", snippet_type = "inline", content = "a" }, 201));
        await client.PostAsync("/v4/snippets", new { name = "B", snippet_type = "block", document_attributes = new { value_html = "<p>{{ snippet.a }}</p>" } }, 201);
        await client.PostAsync("/v4/snippets", new { name = "C", snippet_type = "inline", content = "{{snippet.b}}" }, 201);

        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/snippets/{a}", 422, new { content = "{{ snippet.c }}" }, Circular);
        Assert.Equal("a", await app.DbAsync(db => db.Snippets.Where(s => s.Id == a).Select(s => s.Content).SingleAsync()));
    }

    [Theory, Providers]
    public async Task List_FiltersAndContent_GetAlwaysHasContent_OtherAccounts404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Other", "other@other.test");
        var inline = Id(await client.PostAsync("/v4/snippets", new { name = "Inline", snippet_type = "inline", content = "x" }, 201));
        var block = Id(await client.PostAsync("/v4/snippets", new { name = "Block", snippet_type = "block", document_attributes = new { value_html = "<b>y</b>" } }, 201));
        var theirs = Id(await other.PostAsync("/v4/snippets", new { name = "Theirs", snippet_type = "inline", content = "z" }, 201));

        var list = await client.GetAsync("/v4/snippets");
        Assert.Equal([block, inline], list["snippets"]!.AsArray().Select(s => s!["id"]!.GetValue<long>()));
        Assert.Equal("<b>y</b>", list["snippets"]![0]!["content"]!.GetValue<string>());
        var withContent = await client.GetAsync("/v4/snippets?include_content=true&snippet_type=block");
        Assert.Equal("<b>y</b>", Assert.Single(withContent["snippets"]!.AsArray())!["document"]!["value_html"]!.GetValue<string>());
        Assert.Equal("x", (await client.GetAsync($"/v4/snippets/{inline}"))["snippet"]!["content"]!.GetValue<string>());
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/snippets?snippet_type=video", 422, null, "snippet_type must be one of: inline, block");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/snippets/{theirs}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/snippets/{theirs}", 404, new { content = "mine now" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/snippets/12345", 404, null, "Not Found");
        Assert.Equal("z", await app.DbAsync(db => db.Snippets.Where(s => s.Id == theirs).Select(s => s.Content).SingleAsync()));
        using var delete = await client.SendAsync(HttpMethod.Delete, $"/v4/snippets/{inline}");
        Assert.True((int)delete.StatusCode is 404 or 405, $"{(int)delete.StatusCode}");
    }
}
