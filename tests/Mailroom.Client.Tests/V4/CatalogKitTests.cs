using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>The read-only lists (segments, email templates), and cursor paging through them as the client does it.</summary>
public sealed class CatalogKitTests
{
    static Task AddSegmentsAsync(MailroomApp app, long accountId, int count) => app.DbAsync(async db =>
    {
        for (var i = 0; i < count; i++)
            db.Segments.Add(new Data.Segment { AccountId = accountId, Name = $"S{i}", CreatedAt = ClientArrange.Now, UpdatedAt = ClientArrange.Now });
        await db.SaveChangesAsync();
    });

    [Theory, Providers]
    public async Task ListAllSegments_FivePagesOfOne_FollowsEndCursorUntilTheLastPage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await AddSegmentsAsync(app, account.Id, 5);
        var recorder = new RecordingHandler { InnerHandler = app.Server.CreateHandler() };
        var kit = app.KitWithKey(await app.CreateApiKeyAsync(account.Id), new HttpClient(recorder));

        var all = await kit.ListAllSegmentsAsync(perPage: 2).ToListAsync();

        Assert.Equal(["S4", "S3", "S2", "S1", "S0"], all.Select(s => s.Name));
        Assert.Equal(MailroomApp.Start, all[0].CreatedAt);
        // Three pages of 2, 2 and 1: the walk stops on has_next_page = false, not on an empty fourth page.
        Assert.Equal(["per_page=2", "after=WzRd&per_page=2", "after=WzJd&per_page=2"],
            recorder.Requests.Select(r => r.Uri.Query.TrimStart('?')));
        Assert.All(recorder.Requests, r => Assert.Equal("/v4/segments", r.Uri.AbsolutePath));
    }

    [Theory, Providers]
    public async Task ListSegments_PageAfterAndBefore_ReturnsKitsPaginationWithTotal(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        await AddSegmentsAsync(app, account.Id, 3);

        var first = await kit.ListSegmentsAsync(new PageRequest { PerPage = 2, IncludeTotalCount = true });
        var second = await kit.ListSegmentsAsync(new PageRequest { PerPage = 2, After = first.Pagination.EndCursor });
        var back = await kit.ListSegmentsAsync(new PageRequest { PerPage = 2, Before = second.Pagination.StartCursor });

        Assert.Equal(new Pagination(false, true, "WzNd", "WzJd", 2, 3), first.Pagination);
        Assert.Equal(["S2", "S1"], first.Items.Select(s => s.Name));
        Assert.Equal("S0", Assert.Single(second.Items).Name);
        Assert.Equal((true, false), (second.Pagination.HasPreviousPage, second.Pagination.HasNextPage));
        Assert.Null(second.Pagination.TotalCount);
        Assert.Equal(first.Items, back.Items);
    }

    [Theory, Providers]
    public async Task ListSegments_EmptyAccount_ReturnsAnEmptyPageWithoutCursors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var page = await kit.ListSegmentsAsync();

        Assert.Empty(page.Items);
        Assert.Equal(new Pagination(false, false, null, null, 500), page.Pagination);
        Assert.Empty(await kit.ListAllSegmentsAsync().ToListAsync());
    }

    [Theory, Providers]
    public async Task ListSegments_ForeignCursor_Throws422WithTheMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.ListSegmentsAsync(new PageRequest { After = "not-a-cursor" }).AssertKitErrorAsync(422, "`after` is not a valid cursor");
        await kit.ListSegmentsAsync(new PageRequest { After = "WzFd", Before = "WzFd" })
            .AssertKitErrorAsync(422, "Use either `after` or `before`, not both");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => kit.ListSegmentsAsync(new PageRequest { PerPage = 0 }));
    }

    [Theory, Providers]
    public async Task ListEmailTemplates_TwoLayouts_ListsThemNewestFirstAndOnlyTheAccounts(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@example.com");
        await app.DbAsync(async db =>
        {
            db.EmailLayouts.Add(new EmailLayout { AccountId = account.Id, Name = "Card", Html = "{{ content }}", CreatedAt = ClientArrange.Now });
            db.EmailLayouts.Add(new EmailLayout { AccountId = other.Id, Name = "Theirs", Html = "{{ content }}", CreatedAt = ClientArrange.Now });
            db.EmailLayouts.Add(new EmailLayout { AccountId = account.Id, Name = "<b>Modern</b>", Html = "{{ content }}", CreatedAt = ClientArrange.Now });
            await db.SaveChangesAsync();
        });

        var templates = await kit.ListAllEmailTemplatesAsync().ToListAsync();

        Assert.Equal([("<b>Modern</b>", false, "HTML"), ("Card", false, "HTML")], templates.Select(t => (t.Name, t.IsDefault, t.Category)));
    }

    [Theory, Providers]
    public async Task Posts_PublicBroadcast_ListsAndReadsItsPost(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Draft only", Content = "<p>x</p>" });
        await kit.CreateBroadcastAsync(new BroadcastRequest
        {
            Subject = "On the web", Content = "<p>Hello <b>web</b></p>", Public = true, PublishedAt = MailroomApp.Start,
        });

        var posts = await kit.ListAllPostsAsync().ToListAsync();

        var post = Assert.Single(posts);
        Assert.Null(post.Content);
        Assert.Equal("<p>Hello <b>web</b></p>", (await kit.GetPostAsync(post.Id)).Content);
        await kit.GetPostAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }
}
