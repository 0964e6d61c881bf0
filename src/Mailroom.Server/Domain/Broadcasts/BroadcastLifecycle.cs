namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// draft (no send_at) → scheduled (send_at set) → sending → completed (spec §4.7). Only drafts and
/// scheduled broadcasts can be changed or deleted; once the sender has started, the broadcast is locked.
/// </summary>
public static class BroadcastLifecycle
{
    public static bool IsEditable(string status) =>
        status is BroadcastStatuses.Draft or BroadcastStatuses.Scheduled;

    /// <summary>Setting send_at schedules a draft; clearing it turns a scheduled broadcast back into a draft.</summary>
    public static string StatusFor(DateTime? sendAt) => sendAt is null ? BroadcastStatuses.Draft : BroadcastStatuses.Scheduled;

    /// <summary>
    /// Kit v4's statuses (draft, scheduled, sending, completed, aborted). inferred: Mailroom's <c>failed</c> (the
    /// template broke a render limit and sending stopped) is what Kit calls aborted; the others are the same words.
    /// </summary>
    public const string Aborted = "aborted";
    public static readonly string[] V4Statuses = [BroadcastStatuses.Draft, BroadcastStatuses.Scheduled, BroadcastStatuses.Sending, BroadcastStatuses.Completed, Aborted];

    public static string ToV4(string status) => status == BroadcastStatuses.Failed ? Aborted : status;
    public static string FromV4(string status) => status == Aborted ? BroadcastStatuses.Failed : status;
}
