using System.Globalization;
using System.Text.Json.Nodes;
using ApiError = Mailroom.Server.Api.V3.ApiError;
using ApiParams = Mailroom.Server.Api.V3.ApiParams;
using AccountEndpoints = Mailroom.Server.Api.V4.AccountEndpoints;
using BroadcastsEndpoints = Mailroom.Server.Api.V4.BroadcastsEndpoints;
using V4Error = Mailroom.Server.Api.V4.V4Error;
using Mailroom.Server.App.Editor;
using Mailroom.Server.Data.Sql;
using Mailroom.Server.Delivery;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;
using NodaTime;

namespace Mailroom.Server.App.Broadcasts;

/// <summary>Who a broadcast goes to: everyone active, or those matching one v4 filter group of tags and segments.</summary>
public sealed class Recipients
{
    public bool Everyone { get; set; } = true;
    public string Group { get; set; } = BroadcastFilter.Any;
    public HashSet<long> TagIds { get; } = [];
    public HashSet<long> SegmentIds { get; } = [];

    /// <summary>Null for every active subscriber (also when nothing is ticked, as the API reads an empty filter).</summary>
    public BroadcastFilter? ToFilter() => Everyone || (TagIds.Count == 0 && SegmentIds.Count == 0)
        ? null
        : new BroadcastFilter(Group, [.. TagIds.Order()], [.. SegmentIds.Order()]);

    public static Recipients From(BroadcastFilter? filter)
    {
        var r = new Recipients { Everyone = filter is null, Group = filter?.Group ?? BroadcastFilter.Any };
        if (filter is not null)
        {
            r.TagIds.UnionWith(filter.TagIds);
            r.SegmentIds.UnionWith(filter.SegmentIds);
        }
        return r;
    }
}

public enum SendChoice { Draft, Schedule, Now }

public sealed record NamedId(long Id, string Name);

/// <summary>The broadcast as the compose screen loads it.</summary>
public sealed record DraftState(long Id, string Status, EditorContent Content, Recipients Recipients, DateTime? SendAt);

/// <summary>
/// The compose screen's reads and writes. Writes go through v4's own code (<see cref="BroadcastsEndpoints.ApplyAsync"/>
/// and its conditional update), fed the same parameters a client would send, so validation, messages and the
/// draft → scheduled lifecycle are the API's.
/// </summary>
public sealed class BroadcastDrafts(IDbContextFactory<AppDbContext> dbs, TimeProvider time, WorkerWakeup<BroadcastSender> sender)
{
    public async Task<DraftState?> LoadAsync(long accountId, long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var b = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.AccountId == accountId, ct);
        if (b is null) return null;
        return new DraftState(b.Id, b.Status, EditorContent.FromStored(b.Subject, b.PreviewText, b.Content, b.EmailLayoutTemplate),
            Recipients.From(BroadcastFilter.FromStored(b.SubscriberFilter)), b.SendAt);
    }

    public async Task<(IReadOnlyList<NamedId> Tags, IReadOnlyList<NamedId> Segments)> AudienceAsync(long accountId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var tags = await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId).OrderBy(t => t.Name).Select(t => new NamedId(t.Id, t.Name)).ToListAsync(ct);
        var segments = await db.Segments.AsNoTracking().Where(s => s.AccountId == accountId).OrderBy(s => s.Name).Select(s => new NamedId(s.Id, s.Name)).ToListAsync(ct);
        return (tags, segments);
    }

    /// <summary>How many active subscribers the broadcast would go to now: the query that freezes its recipient list.</summary>
    public async Task<int> CountAsync(long accountId, Recipients recipients, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await RecipientSql.CountAsync(db, accountId, recipients.ToFilter(), ct);
    }

    /// <summary>The account's time zone, in which the schedule's date and time are read and shown.</summary>
    public async Task<DateTimeZone> ZoneAsync(long accountId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return AccountEndpoints.AccountZone(await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.TimeZone).SingleAsync(ct));
    }

    /// <summary>
    /// Creates (<paramref name="id"/> null) or updates a broadcast; returns its id, or the messages that refused it.
    /// Scheduling and sending need a subject (the API lets a draft have none; a send without one would go out blank).
    /// </summary>
    public async Task<(long? Id, IReadOnlyList<string> Errors)> SaveAsync(long accountId, long? id, EditorContent content, Recipients recipients,
        SendChoice choice, DateTime? sendAtUtc, CancellationToken ct = default)
    {
        if (choice != SendChoice.Draft && string.IsNullOrWhiteSpace(content.Subject)) return (null, [V4Error.SubjectBlank]);
        if (choice == SendChoice.Schedule && sendAtUtc is null) return (null, [ApiError.InvalidMessage("Send at")]);
        var sendAt = choice switch
        {
            SendChoice.Now => time.UtcNowSeconds(),
            SendChoice.Schedule => sendAtUtc,
            _ => null,
        };
        var p = new ApiParams(new JsonObject
        {
            ["subject"] = content.Subject,
            ["preview_text"] = content.PreviewText,
            ["content"] = content.ContentHtml(),
            ["email_layout_template"] = content.Layout,
            ["subscriber_filter"] = recipients.ToFilter() is { } filter ? JsonNode.Parse(filter.ToJson()) : null,
            ["send_at"] = sendAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        });

        await using var db = await dbs.CreateDbContextAsync(ct);
        var defaultEmail = await BroadcastsEndpoints.DefaultEmailAsync(db, accountId, ct);
        var now = time.UtcNowSeconds();
        Broadcast broadcast;
        if (id is null)
        {
            broadcast = new Broadcast
            {
                AccountId = accountId, EmailAddress = defaultEmail, EmailLayoutTemplate = EmailLayouts.TextOnly,
                Status = BroadcastStatuses.Draft, CreatedAt = now, UpdatedAt = now,
            };
        }
        else
        {
            var found = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == accountId, ct);
            if (found is null) return (null, [V4Error.NotFoundMessage]);
            if (!BroadcastLifecycle.IsEditable(found.Status)) return (null, [ApiError.BroadcastLockedMessage]);
            broadcast = found;
        }
        var errors = await BroadcastsEndpoints.ApplyAsync(p, broadcast, defaultEmail, db, ct);
        if (errors.Count > 0) return (null, errors);
        broadcast.UpdatedAt = now;
        if (id is null)
        {
            db.Broadcasts.Add(broadcast);
            await db.SaveChangesAsync(ct);
        }
        else if (await BroadcastsEndpoints.UpdateEditableAsync(db, accountId, broadcast, ct) == 0)
            return (null, [ApiError.BroadcastLockedMessage]);
        if (choice == SendChoice.Now) sender.Wake();
        return (broadcast.Id, []);
    }
}
