namespace Mailroom.Server.Api.V4;

/// <summary>Every /v4 operation, one Map call per resource file; the document's tags name the groups.</summary>
static class V4Routes
{
    public static WebApplication MapMailroomV4(this WebApplication app)
    {
        var v4 = app.MapGroup("/v4").WithGroupName("v4");
        // One Map call per resource file, one file per v4 tag.
        v4.MapSegments();
        v4.MapEmailTemplates();
        v4.MapV4Sequences();
        v4.MapV4SequenceEmails();
        v4.MapV4Forms();
        v4.MapV4CustomFields();
        v4.MapV4Tags();
        v4.MapV4Subscribers();
        v4.MapV4Broadcasts();
        v4.MapBroadcastStats();
        v4.MapPosts();
        v4.MapSnippets();
        v4.MapV4Account();
        v4.MapV4Webhooks();
        v4.MapV4Purchases();
        v4.MapV4Bulk();

        app.MapFallback("/v4/{**path}", () => V4Error.NotFound())
            .WithMetadata(new AnonymousV4Attribute()).ExcludeFromDescription();
        return app;
    }
}
