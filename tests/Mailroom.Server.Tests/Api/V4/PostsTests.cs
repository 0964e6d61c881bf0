using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>GET /v4/posts and GET /v4/posts/{id}: an account's public broadcasts as web posts.</summary>
public sealed class PostsTests
{
    static async Task<long> CreateAsync(V4Client client, object body) =>
        (await BroadcastsTests.WriteAsync(client, HttpMethod.Post, "/v4/broadcasts", body, 201))["broadcast"]!["id"]!.GetValue<long>();

    [Theory, Providers]
    public async Task List_PublicBroadcastsOnly_DraftAndPublishedPosts_ContentOnRequest(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Other", "other@other.test");
        var webOnly = await CreateAsync(client, new { subject = "Web Only Post", @public = true, published_at = "2024-04-30T09:00:00Z", content = "<p>web</p>" });
        await CreateAsync(client, new { subject = "Private", @public = false });
        var sent = await CreateAsync(client, new { subject = "Email and Web Post", @public = true, content = "<p>both</p>" });
        var draft = await CreateAsync(client, new { subject = "Draft Post", @public = true });
        await CreateAsync(other, new { subject = "Theirs", @public = true, published_at = "2024-04-30T09:00:00Z" });
        await BroadcastsTests.SetStatusAsync(app, sent, BroadcastStatuses.Completed);

        var list = await client.GetAsync("/v4/posts");

        BroadcastsTests.AssertJson($$"""
            [{"id":{{draft}},"publication_id":{{draft}},"created_at":"2024-05-01T10:00:00Z","title":"Draft Post","slug":null,"description":null,"meta_description":null,"status":"draft","published_at":null,"sent_at":null,"thumbnail_alt":null,"thumbnail_url":null,"is_paid":false,"public_url":null},
             {"id":{{sent}},"publication_id":{{sent}},"created_at":"2024-05-01T10:00:00Z","title":"Email and Web Post","slug":"email-and-web-post","description":null,"meta_description":null,"status":"published","published_at":"2024-05-01T10:00:00Z","sent_at":"2024-05-01T10:00:00Z","thumbnail_alt":null,"thumbnail_url":null,"is_paid":false,"public_url":"http://mailroom.test/posts/{{sent}}"},
             {"id":{{webOnly}},"publication_id":{{webOnly}},"created_at":"2024-05-01T10:00:00Z","title":"Web Only Post","slug":"web-only-post","description":null,"meta_description":null,"status":"published","published_at":"2024-04-30T09:00:00Z","sent_at":null,"thumbnail_alt":null,"thumbnail_url":null,"is_paid":false,"public_url":"http://mailroom.test/posts/{{webOnly}}"}]
            """, list["posts"]!);
        var withContent = await client.GetAsync("/v4/posts?include_content=true&per_page=1");
        Assert.Equal("", Assert.Single(withContent["posts"]!.AsArray())!["content"]!.GetValue<string>());
        Assert.True(withContent["pagination"]!["has_next_page"]!.GetValue<bool>());
    }

    [Theory, Providers]
    public async Task Get_PublishedPostHasContent_DraftPrivateForeignAndUnknownAre404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Other", "other@other.test");
        const string hostile = "<p>web</p><script>alert(1)</script>";
        var published = await CreateAsync(client, new { subject = "Web", @public = true, published_at = "2024-04-30T09:00:00Z", content = hostile });
        var draft = await CreateAsync(client, new { subject = "Draft", @public = true });
        var hidden = await CreateAsync(client, new { subject = "Hidden", @public = false, published_at = "2024-04-30T09:00:00Z" });
        var theirs = await CreateAsync(other, new { subject = "Theirs", @public = true, published_at = "2024-04-30T09:00:00Z" });

        var post = await client.GetAsync($"/v4/posts/{published}");

        Assert.Equal(hostile, post["post"]!["content"]!.GetValue<string>());
        Assert.Equal("web", post["post"]!["slug"]!.GetValue<string>());
        foreach (var id in new[] { draft, hidden, theirs, 987654 })
            await client.AssertErrorAsync(HttpMethod.Get, $"/v4/posts/{id}", 404, null, "Not Found");
    }
}
