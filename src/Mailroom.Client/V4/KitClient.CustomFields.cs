namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/custom_fields</c>: one page of custom fields.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<CustomField>> ListCustomFieldsAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("custom_fields", "custom_fields", KitJson.Default.ListCustomField, new Query().Page(page), ct);

    /// <summary>Every custom field, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<CustomField> ListAllCustomFieldsAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListCustomFieldsAsync, perPage, ct);

    /// <summary>
    /// <c>POST /v4/custom_fields</c>: creates a custom field, or returns the existing one with this label (Kit answers 200
    /// then). A blank label is a 422.
    /// </summary>
    /// <param name="label">The label; its key is derived from it.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CustomField> CreateCustomFieldAsync(string label, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        // Kit returns the existing field on a repeat, so a retry after a transient failure cannot duplicate it.
        return SendJsonAsync(HttpMethod.Post, "custom_fields", Body(("label", label)), "custom_field", KitJson.Default.CustomField,
            idempotent: true, ct);
    }

    /// <summary><c>PUT /v4/custom_fields/{id}</c>: renames a custom field (its key follows; its name stays).</summary>
    /// <param name="id">The custom field.</param>
    /// <param name="label">The new label.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CustomField> UpdateCustomFieldAsync(long id, string label, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        return SendJsonAsync(HttpMethod.Put, $"custom_fields/{Id(id)}", Body(("label", label)), "custom_field",
            KitJson.Default.CustomField, idempotent: true, ct);
    }

    /// <summary><c>DELETE /v4/custom_fields/{id}</c>: deletes a custom field and every subscriber's value of it.</summary>
    /// <param name="id">The custom field.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteCustomFieldAsync(long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"custom_fields/{Id(id)}", null, ct);
}
