using System.Text.Json.Nodes;

namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/custom_fields</c>: every custom field.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<CustomField>> ListCustomFieldsAsync(CancellationToken ct = default) =>
        (await GetAsync("custom_fields", Scope.Key, ConvertKitJson.Default.CustomFieldsEnvelope, ct).ConfigureAwait(false)).CustomFields;

    /// <summary><c>GET /v3/custom_fields/{id}</c> (undocumented; n8n uses it): one custom field.</summary>
    /// <param name="customFieldId">The field.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CustomField> GetCustomFieldAsync(long customFieldId, CancellationToken ct = default) =>
        GetAsync($"custom_fields/{Id(customFieldId)}", Scope.Key, ConvertKitJson.Default.CustomField, ct);

    /// <summary>
    /// <c>POST /v3/custom_fields</c> with one label; the key is derived from it (<c>"Last Name"</c> → <c>last_name</c>).
    /// A blank or taken label is a 422. Requires the api_secret.
    /// </summary>
    /// <param name="label">The new field's label.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CustomField> CreateCustomFieldAsync(string label, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        return SendJsonAsync(HttpMethod.Post, "custom_fields", Scope.Secret, Body(("label", label)),
            ConvertKitJson.Default.CustomField, idempotent: false, ct);
    }

    /// <summary>
    /// <c>POST /v3/custom_fields</c> with several labels, answered in input order. One bad label creates none.
    /// Requires the api_secret.
    /// </summary>
    /// <param name="labels">The new fields' labels.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<IReadOnlyList<CustomField>> CreateCustomFieldsAsync(IEnumerable<string> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var array = new JsonArray([.. labels.Select(l => (JsonNode?)JsonValue.Create(l))]);
        if (array.Count == 0) throw new ArgumentException("At least one label is needed.", nameof(labels));
        // Kit's quirk: a one-element label array answers a single object, more answer an array; both are read.
        return SendForOneOrManyAsync("custom_fields", Scope.Secret, Body(("label", array)), ConvertKitJson.Default.CustomField,
            ConvertKitJson.Default.ListCustomField, ct);
    }

    /// <summary>
    /// <c>PUT /v3/custom_fields/{id}</c>: renames a field. Kit derives a new key from the label (templates using the old key
    /// stop matching) while the field's <c>name</c> stays. Requires the api_secret.
    /// </summary>
    /// <param name="customFieldId">The field.</param>
    /// <param name="label">The new label.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task UpdateCustomFieldAsync(long customFieldId, string label, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        return SendWithoutResultAsync(HttpMethod.Put, $"custom_fields/{Id(customFieldId)}", Scope.Secret, Body(("label", label)), ct);
    }

    /// <summary><c>DELETE /v3/custom_fields/{id}</c>: deletes a field and every subscriber's value for it. Requires the api_secret.</summary>
    /// <param name="customFieldId">The field.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteCustomFieldAsync(long customFieldId, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"custom_fields/{Id(customFieldId)}", Scope.Secret, null, ct);
}
