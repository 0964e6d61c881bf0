using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class SnippetsKitTests
{
    [Theory, Providers]
    public async Task Snippet_InlineAndBlock_CreateGetArchiveList(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var inline = await kit.CreateSnippetAsync(SnippetRequest.Inline("Cat fact", "Hi {{ subscriber.first_name }}"));
        var block = await kit.CreateSnippetAsync(SnippetRequest.Block("Footer", "<p>Bye <b>now</b></p>"));
        var archived = await kit.UpdateSnippetAsync(inline.Id, new SnippetRequest { Archived = true });

        Assert.Equal(("inline", "cat-fact", "Hi {{ subscriber.first_name }}"), (inline.SnippetType, inline.Key, inline.Content));
        Assert.Equal("<p>Bye <b>now</b></p>", (await kit.GetSnippetAsync(block.Id)).Document?.ValueHtml);
        Assert.True(archived.Archived);
        Assert.Equal([block.Id], (await kit.ListAllSnippetsAsync().ToListAsync()).Select(s => s.Id));
        Assert.Equal([inline.Id], (await kit.ListAllSnippetsAsync(new SnippetQuery { Archived = true }).ToListAsync()).Select(s => s.Id));
    }

    [Theory, Providers]
    public async Task UpdateSnippet_OtherType_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var inline = await kit.CreateSnippetAsync(SnippetRequest.Inline("Cat fact", "Hi"));

        await kit.UpdateSnippetAsync(inline.Id, SnippetRequest.Block("Cat fact", "<p>x</p>")).AssertKitErrorAsync(422, "snippet_type cannot be changed");
        await kit.CreateSnippetAsync(SnippetRequest.Inline("", "Hi")).AssertKitErrorAsync(422, "name can't be blank");
        await kit.GetSnippetAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }
}
