using System.Globalization;
using System.Text.Json.Nodes;

namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/account</c>: the account and user the credential belongs to.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<CurrentAccount> GetAccountAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "account", null, null, idempotent: true, ct).ConfigureAwait(false);
        return await ReadRootAsync(response, KitJson.Default.CurrentAccount, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET /v4/account/colors</c>: the account's saved colors (hex codes).</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<string>> ListColorsAsync(CancellationToken ct = default) =>
        await GetAsync("account/colors", "colors", KitJson.Default.ListString, ct).ConfigureAwait(false);

    /// <summary><c>PUT /v4/account/colors</c>: replaces the saved colors. A code that is not hex is a 422.</summary>
    /// <param name="colors">Hex color codes, e.g. <c>#008000</c>.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<string>> UpdateColorsAsync(IEnumerable<string> colors, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(colors);
        var body = Body(("colors", new JsonArray([.. colors.Select(c => (JsonNode?)JsonValue.Create(c))])));
        return await SendJsonAsync(HttpMethod.Put, "account/colors", body, "colors", KitJson.Default.ListString, idempotent: true, ct)
            .ConfigureAwait(false);
    }

    /// <summary><c>GET /v4/account/creator_profile</c>: the Creator Profile; a 404 when the account has none.</summary>
    /// <param name="ct">Cancels the call.</param>
    public Task<CreatorProfile> GetCreatorProfileAsync(CancellationToken ct = default) =>
        GetAsync("account/creator_profile", "profile", KitJson.Default.CreatorProfile, ct);

    /// <summary><c>GET /v4/account/email_stats</c>: sends, opens and clicks of the last 90 days.</summary>
    /// <param name="ct">Cancels the call.</param>
    public Task<EmailStats> GetEmailStatsAsync(CancellationToken ct = default) =>
        GetAsync("account/email_stats", "stats", KitJson.Default.EmailStats, ct);

    /// <summary>
    /// <c>GET /v4/account/growth_stats</c>: subscriber growth between two days (Kit's default: the last 90 days). A start
    /// after the end is a 422.
    /// </summary>
    /// <param name="starting">The first day.</param>
    /// <param name="ending">The last day.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<GrowthStats> GetGrowthStatsAsync(DateOnly? starting = null, DateOnly? ending = null, CancellationToken ct = default) =>
        GetAsync("account/growth_stats", "stats", KitJson.Default.GrowthStats, ct, new Query()
            // The parameter descriptions say YYYY-MM-DD (as the 422 messages do); the examples' 02/09/2023 is not sent.
            .Add("starting", starting?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("ending", ending?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
}
