namespace Mailroom.Data;

// What Kit's v4 API adds to the model: its own credentials, snippets, segments and queued bulk requests.

/// <summary>
/// A v4 API key (<c>X-Kit-Api-Key</c>). An account holds any number; each is shown once at creation and stored only
/// as its SHA-256 hash. Revoked keys stay, so a list still shows what existed and when it stopped working.
/// </summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    public string KeyHash { get; set; } = "";
    /// <summary>The key's last four characters, so a person can tell keys apart in a list.</summary>
    public string Hint { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public static class SnippetTypes
{
    public const string Inline = "inline";
    public const string Block = "block";
}

/// <summary>Reusable content, referenced from broadcasts and sequence emails as <c>{{ snippet.key }}</c>.</summary>
public sealed class Snippet
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Derived from the name at creation and unique per account; renaming keeps it, as Kit's does.</summary>
    public string Key { get; set; } = "";
    public string SnippetType { get; set; } = SnippetTypes.Inline;
    public bool Archived { get; set; }
    /// <summary>An inline snippet's text (Liquid allowed).</summary>
    public string? Content { get; set; }
    /// <summary>A block snippet's HTML (Kit's <c>document.value_html</c>).</summary>
    public string? ValueHtml { get; set; }
    /// <summary>Counts edits of the body: Kit's <c>document.version</c>.</summary>
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A saved subscriber filter. <see cref="Definition"/> is a JSON object; the audience issue gives it its conditions.</summary>
public sealed class Segment
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    public string Definition { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class BulkJobStatuses
{
    public const string Queued = "queued";
    public const string Completed = "completed";
}

/// <summary>
/// A v4 bulk request too large to apply while the caller waits (over 100 items): stored whole, applied once in the
/// background, its result POSTed to <see cref="CallbackUrl"/>. A restart resumes it from the row.
/// </summary>
public sealed class BulkJob
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>Which bulk operation, e.g. <c>subscribers</c> or <c>tags/subscribers:delete</c>.</summary>
    public string Operation { get; set; } = "";
    /// <summary>The request body as received (JSON).</summary>
    public string Payload { get; set; } = "";
    /// <summary>Size of <see cref="Payload"/>: queued bytes per account are capped (Kit's 413).</summary>
    public long PayloadBytes { get; set; }
    public string? CallbackUrl { get; set; }
    public string Status { get; set; } = BulkJobStatuses.Queued;
    /// <summary>The body the synchronous call would have answered, once applied (JSON).</summary>
    public string? Result { get; set; }
    public int Attempts { get; set; }
    public DateTime? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? CallbackDeliveredAt { get; set; }
    public int CallbackAttempts { get; set; }
    public DateTime? NextCallbackAt { get; set; }
    public string? CallbackLastError { get; set; }
}
