using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>A claimed broadcast's recipients for a <see cref="SendRun"/>: read past the checkpoint, then the due retries.</summary>
sealed class BroadcastFeed(RecipientReader reader, OutcomeCommitter committer, LoadedTemplate loaded) : ISendFeed
{
    readonly RecipientCursor _cursor = new();
    RecipientReader.Pass? _pass;

    public string Name => $"Broadcast {loaded.Template.BroadcastId}";
    public BroadcastTemplate? Template => loaded.Template;
    public bool TemplateLimitStopsRun => true;

    public async Task<List<SendRun.Work>?> NextAsync(int size, bool forwardOnly, CancellationToken ct)
    {
        _pass ??= await reader.StartAsync(loaded.Template.BroadcastId, ct);
        var batch = await reader.NextAsync(_pass, loaded.AccountId, size, forwardOnly, ct);
        if (batch is not null)
            foreach (var item in batch) _cursor.Dispatched(item.RecipientId);
        return batch;
    }

    public Task<int> CommitAsync(List<SendRun.Done> group) => committer.CommitAsync(loaded, group, _cursor);
}
