using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// Kit v4's <c>subscriber_filter</c>: one group (<c>all</c>, <c>any</c> or <c>none</c>) of tag and segment ids, stored
/// on <see cref="Broadcast.SubscriberFilter"/> as normalised JSON (null = every active subscriber) and applied when the
/// recipient list is frozen (RecipientSql).
/// </summary>
public sealed record BroadcastFilter(string Group, IReadOnlyList<long> TagIds, IReadOnlyList<long> SegmentIds)
{
    public const string All = "all";
    public const string Any = "any";
    public const string None = "none";
    public const string TagType = "tag";
    public const string SegmentType = "segment";
    /// <summary>What Kit answers for an untargeted broadcast, and what a client may send back to clear a filter.</summary>
    public const string AllSubscribersType = "all_subscribers";
    public const string Untargeted = """[{"all":[{"type":"all_subscribers"}]}]""";

    // inferred: Kit's document shows no message for these; worded like its single-group one.
    public const string FilterInvalid = "subscriber_filter must be an array with one group of `{\"type\": \"tag\" or \"segment\", \"ids\": [...]}` entries";
    public static string UnknownIds(string type, IEnumerable<long> ids) => $"subscriber_filter: {type} not found: {string.Join(", ", ids)}";

    /// <summary>
    /// inferred: segments have no conditions yet (the audience issue gives them some), so a segment entry matches
    /// nobody: <c>all</c> with a segment sends to no one, <c>any</c> counts only its tags, <c>none</c> excludes no one
    /// for it. Its ids must still be the account's segments, so a filter saved now means the same once they do.
    /// </summary>
    public bool MatchesNobody => Group switch
    {
        All => SegmentIds.Count > 0,
        Any => TagIds.Count == 0,
        _ => false,
    };

    /// <summary>The filter a broadcast stored, or null when it sends to every active subscriber.</summary>
    public static BroadcastFilter? FromStored(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        var (filter, error) = Parse(JsonNode.Parse(json));
        return error is null ? filter : throw new InvalidOperationException($"Stored subscriber_filter is invalid: {error}");
    }

    /// <summary>
    /// Reads a request's <c>subscriber_filter</c>: (null, null) for "everyone" (absent, null, empty, or
    /// <c>all_subscribers</c>), else the filter, or the 422 message.
    /// </summary>
    public static (BroadcastFilter? Filter, string? Error) Parse(JsonNode? node)
    {
        if (node is null) return (null, null);
        if (node is not JsonArray groups) return (null, FilterInvalid);
        if (groups.Count == 0) return (null, null);
        // Kit: one group type only, whether as two keys of one object or as two objects.
        var named = groups.Select(g => g as JsonObject).ToList();
        if (named.Any(g => g is null)) return (null, FilterInvalid);
        var keys = named.SelectMany(g => g!.Where(kv => kv.Value is not null).Select(kv => kv.Key)).ToList();
        if (keys.Count > 1 || groups.Count > 1) return (null, V4SingleGroup);
        if (keys.Count == 0) return (null, null);
        var group = keys[0];
        if (group is not (All or Any or None) || named[0]![group] is not JsonArray entries) return (null, FilterInvalid);

        var tags = new List<long>();
        var segments = new List<long>();
        foreach (var entry in entries)
        {
            if (entry is not JsonObject e || e["type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String) return (null, FilterInvalid);
            var type = t.GetValue<string>();
            if (type == AllSubscribersType) continue;
            if (type is not (TagType or SegmentType) || e["ids"] is not JsonArray ids) return (null, FilterInvalid);
            foreach (var id in ids)
            {
                if (id is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out var value)) return (null, FilterInvalid);
                (type == TagType ? tags : segments).Add(value);
            }
        }
        if (tags.Count == 0 && segments.Count == 0) return (null, null);
        return (new BroadcastFilter(group, [.. tags.Distinct().Order()], [.. segments.Distinct().Order()]), null);
    }

    /// <summary>The ids the account does not have, as 422 messages (tags first).</summary>
    public async Task<List<string>> UnknownIdsAsync(AppDbContext db, long accountId, CancellationToken ct)
    {
        var errors = new List<string>();
        if (TagIds.Count > 0)
        {
            var known = await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && TagIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
            if (TagIds.Except(known).ToList() is { Count: > 0 } missing) errors.Add(UnknownIds(TagType, missing));
        }
        if (SegmentIds.Count > 0)
        {
            var known = await db.Segments.AsNoTracking().Where(s => s.AccountId == accountId && SegmentIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
            if (SegmentIds.Except(known).ToList() is { Count: > 0 } missing) errors.Add(UnknownIds(SegmentType, missing));
        }
        return errors;
    }

    /// <summary>What is stored and answered: <c>[{"group":[{"type":"tag","ids":[..]},{"type":"segment","ids":[..]}]}]</c>.</summary>
    public string ToJson()
    {
        var entries = new JsonArray();
        if (TagIds.Count > 0) entries.Add(new JsonObject { ["type"] = TagType, ["ids"] = new JsonArray([.. TagIds.Select(i => (JsonNode?)i)]) });
        if (SegmentIds.Count > 0) entries.Add(new JsonObject { ["type"] = SegmentType, ["ids"] = new JsonArray([.. SegmentIds.Select(i => (JsonNode?)i)]) });
        return new JsonArray(new JsonObject { [Group] = entries }).ToJsonString();
    }

    /// <summary>The answer's <c>subscriber_filter</c> for what a broadcast stored.</summary>
    public static JsonNode ToResponse(string? stored) => JsonNode.Parse(string.IsNullOrEmpty(stored) ? Untargeted : stored)!;

    // Kit's documented message; V4Error is the home of every documented message.
    static string V4SingleGroup => Api.V4.V4Error.SingleFilterGroup;
}
