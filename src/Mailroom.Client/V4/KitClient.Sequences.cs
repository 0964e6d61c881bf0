namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/sequences</c>: one page of sequences.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Sequence>> ListSequencesAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("sequences", "sequences", KitJson.Default.ListSequence, new Query().Page(page), ct);

    /// <summary>Every sequence, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Sequence> ListAllSequencesAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListSequencesAsync, perPage, ct);

    /// <summary>
    /// <c>POST /v4/sequences</c>: creates an empty sequence (add emails with <see cref="CreateSequenceEmailAsync"/>). Only
    /// the name is needed; an hour outside 0–23 is a 422.
    /// </summary>
    /// <param name="request">The sequence.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Sequence> CreateSequenceAsync(SequenceRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Post, "sequences", ToBody(request, KitJson.Default.SequenceRequest), "sequence",
            KitJson.Default.Sequence, idempotent: false, ct);
    }

    /// <summary><c>GET /v4/sequences/{id}</c>: one sequence.</summary>
    /// <param name="id">The sequence.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Sequence> GetSequenceAsync(long id, CancellationToken ct = default) =>
        GetAsync($"sequences/{Id(id)}", "sequence", KitJson.Default.Sequence, ct);

    /// <summary><c>PUT /v4/sequences/{id}</c>: changes a sequence's settings; what is null stays.</summary>
    /// <param name="id">The sequence.</param>
    /// <param name="request">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Sequence> UpdateSequenceAsync(long id, SequenceRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Put, $"sequences/{Id(id)}", ToBody(request, KitJson.Default.SequenceRequest), "sequence",
            KitJson.Default.Sequence, idempotent: true, ct);
    }

    /// <summary><c>DELETE /v4/sequences/{id}</c>: deletes a sequence; its subscribers get no more of its emails.</summary>
    /// <param name="id">The sequence.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteSequenceAsync(long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"sequences/{Id(id)}", null, ct);

    /// <summary><c>GET /v4/sequences/{sequence_id}/subscribers</c>: one page of a sequence's subscribers.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="query">Filters: state, creation and addition windows.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<SequenceSubscriber>> ListSequenceSubscribersAsync(long sequenceId, MembershipQuery? query = null,
        PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync($"sequences/{Id(sequenceId)}/subscribers", "subscribers", KitJson.Default.ListSequenceSubscriber,
            MembershipFilters(query, "added").Page(page), ct);

    /// <summary>Every subscriber of a sequence the query matches, page after page as the enumeration goes.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="query">Filters: state, creation and addition windows.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<SequenceSubscriber> ListAllSequenceSubscribersAsync(long sequenceId, MembershipQuery? query = null,
        int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListSequenceSubscribersAsync(sequenceId, query, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/sequences/{sequence_id}/subscribers</c>: adds the subscriber with this address to a sequence (200 when
    /// already in it). An inactive sequence is a 422.
    /// </summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="emailAddress">The subscriber's address.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SequenceSubscriber> AddSubscriberToSequenceByEmailAsync(long sequenceId, string emailAddress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(emailAddress);
        return SendJsonAsync(HttpMethod.Post, $"sequences/{Id(sequenceId)}/subscribers", Body(("email_address", emailAddress)),
            "subscriber", KitJson.Default.SequenceSubscriber, idempotent: true, ct);
    }

    /// <summary><c>POST /v4/sequences/{sequence_id}/subscribers/{id}</c>: adds a subscriber to a sequence (200 when already in it).</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SequenceSubscriber> AddSubscriberToSequenceAsync(long sequenceId, long subscriberId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"sequences/{Id(sequenceId)}/subscribers/{Id(subscriberId)}", Body(), "subscriber",
            KitJson.Default.SequenceSubscriber, idempotent: true, ct);
}
