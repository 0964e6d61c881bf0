using Mailroom.Data;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>Cursor pagination on a v4 list: Kit's cursors, both directions, stability under inserts, and bad input.</summary>
public sealed class V4PagingTests
{
    static async Task AddSegmentsAsync(MailroomApp app, long accountId, int count) => await app.DbAsync(async db =>
    {
        for (var i = 0; i < count; i++)
            db.Segments.Add(new Segment { AccountId = accountId, Name = $"S{i}", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
        await db.SaveChangesAsync();
    });

    static List<long> Ids(JsonNode page) => [.. page["segments"]!.AsArray().Select(s => s!["id"]!.GetValue<long>())];

    [Theory, Providers]
    public async Task Pages_WalkForwardsAndBack_NewestFirst_WithKitsCursorsAndTotal(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await AddSegmentsAsync(app, account.Id, 5);

        var first = await client.GetAsync("/v4/segments?per_page=2&include_total_count=true");
        var second = await client.GetAsync($"/v4/segments?per_page=2&after={first["pagination"]!["end_cursor"]}");
        var third = await client.GetAsync($"/v4/segments?per_page=2&after={second["pagination"]!["end_cursor"]}");
        var back = await client.GetAsync($"/v4/segments?per_page=2&before={third["pagination"]!["start_cursor"]}");
        var all = await client.GetAsync("/v4/segments");

        Assert.Equal([5, 4], Ids(first));
        Assert.Equal("""{"has_previous_page":false,"has_next_page":true,"start_cursor":"WzVd","end_cursor":"WzRd","per_page":2,"total_count":5}""",
            first["pagination"]!.ToJsonString());
        Assert.Equal([3, 2], Ids(second));
        Assert.Equal((true, true), (second["pagination"]!["has_previous_page"]!.GetValue<bool>(), second["pagination"]!["has_next_page"]!.GetValue<bool>()));
        Assert.Equal([1], Ids(third));
        Assert.Equal((true, false), (third["pagination"]!["has_previous_page"]!.GetValue<bool>(), third["pagination"]!["has_next_page"]!.GetValue<bool>()));
        Assert.Equal([3, 2], Ids(back));
        Assert.Equal((true, true), (back["pagination"]!["has_previous_page"]!.GetValue<bool>(), back["pagination"]!["has_next_page"]!.GetValue<bool>()));
        Assert.Equal([5, 4, 3, 2, 1], Ids(all));
        Assert.Equal(500, all["pagination"]!["per_page"]!.GetValue<int>());
        Assert.Null(all["pagination"]!["total_count"]);
    }

    [Theory, Providers]
    public async Task RowsInsertedWhilePaging_NeitherSkipNorRepeatARow(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await AddSegmentsAsync(app, account.Id, 6);

        var seen = new List<long>();
        var page = await client.GetAsync("/v4/segments?per_page=2");
        seen.AddRange(Ids(page));
        while (page["pagination"]!["has_next_page"]!.GetValue<bool>())
        {
            await AddSegmentsAsync(app, account.Id, 1); // lands before the walk's start: not part of this walk
            page = await client.GetAsync($"/v4/segments?per_page=2&after={page["pagination"]!["end_cursor"]}");
            seen.AddRange(Ids(page));
        }

        Assert.Equal([6, 5, 4, 3, 2, 1], seen);
    }

    [Theory, Providers]
    public async Task EmptyList_HasNullCursors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        var page = await client.GetAsync("/v4/segments?per_page=1000");

        Assert.Equal("""{"segments":[],"pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":null,"end_cursor":null,"per_page":1000}}""",
            page.ToJsonString());
    }

    [Theory, Providers]
    public async Task BadPagingInput_Is422_AndAnOversizedPageIsClamped(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments?per_page=0", 422, null, "per_page must be an integer between 1 and 1000");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments?per_page=ten", 422, null, "per_page must be an integer between 1 and 1000");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments?after=bm9wZQ==", 422, null, "`after` is not a valid cursor");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments?before=%%%", 422, null, "`before` is not a valid cursor");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments?after=WzFd&before=WzFd", 422, null, "Use either `after` or `before`, not both");
        var clamped = await client.GetAsync("/v4/segments?per_page=5000");
        Assert.Equal(1000, clamped["pagination"]!["per_page"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task EmailTemplates_ListTheAccountsLayouts(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var other = await app.CreateAccountAsync("Globex", "g@globex.test");
        await app.DbAsync(async db =>
        {
            db.EmailLayouts.Add(new EmailLayout { AccountId = account.Id, Name = "Classic", Html = "{{ content }}", CreatedAt = MailroomApp.Start.UtcDateTime });
            db.EmailLayouts.Add(new EmailLayout { AccountId = other.Id, Name = "Theirs", Html = "{{ content }}", CreatedAt = MailroomApp.Start.UtcDateTime });
            await db.SaveChangesAsync();
        });

        var page = await client.GetAsync("/v4/email_templates");

        Assert.Equal("""[{"id":1,"name":"Classic","is_default":false,"category":"HTML"}]""", page["email_templates"]!.ToJsonString());
    }
}
