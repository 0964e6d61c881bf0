namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/sequences/{sequence_id}/emails</c>: one page of a sequence's emails, in send order.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="includeContent">Include each email's HTML.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<SequenceEmail>> ListSequenceEmailsAsync(long sequenceId, bool? includeContent = null, PageRequest? page = null,
        CancellationToken ct = default) =>
        GetPageAsync($"sequences/{Id(sequenceId)}/emails", "emails", KitJson.Default.ListSequenceEmail,
            new Query().Add("include_content", includeContent).Page(page), ct);

    /// <summary>Every email of a sequence, page after page as the enumeration goes.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="includeContent">Include each email's HTML.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<SequenceEmail> ListAllSequenceEmailsAsync(long sequenceId, bool? includeContent = null, int? perPage = null,
        CancellationToken ct = default) =>
        WalkAsync((page, token) => ListSequenceEmailsAsync(sequenceId, includeContent, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/sequences/{sequence_id}/emails</c>: adds an email (a draft unless published). Subject, delay value and
    /// delay unit are needed; a blank subject or a taken position is a 422.
    /// </summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="request">The email.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SequenceEmail> CreateSequenceEmailAsync(long sequenceId, SequenceEmailRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Post, $"sequences/{Id(sequenceId)}/emails", ToBody(request, KitJson.Default.SequenceEmailRequest),
            "email", KitJson.Default.SequenceEmail, idempotent: false, ct);
    }

    /// <summary><c>GET /v4/sequences/{sequence_id}/emails/{id}</c>: one email with its content.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="id">The email.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SequenceEmail> GetSequenceEmailAsync(long sequenceId, long id, CancellationToken ct = default) =>
        GetAsync($"sequences/{Id(sequenceId)}/emails/{Id(id)}", "email", KitJson.Default.SequenceEmail, ct);

    /// <summary><c>PUT /v4/sequences/{sequence_id}/emails/{id}</c>: changes an email; what is null stays.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="id">The email.</param>
    /// <param name="request">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SequenceEmail> UpdateSequenceEmailAsync(long sequenceId, long id, SequenceEmailRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Put, $"sequences/{Id(sequenceId)}/emails/{Id(id)}", ToBody(request, KitJson.Default.SequenceEmailRequest),
            "email", KitJson.Default.SequenceEmail, idempotent: true, ct);
    }

    /// <summary><c>DELETE /v4/sequences/{sequence_id}/emails/{id}</c>: removes an email; queued subscribers skip it.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="id">The email.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteSequenceEmailAsync(long sequenceId, long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"sequences/{Id(sequenceId)}/emails/{Id(id)}", null, ct);
}
