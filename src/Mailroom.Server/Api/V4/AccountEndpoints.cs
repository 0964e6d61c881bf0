using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Accounts;
using NodaTime;

namespace Mailroom.Server.Api.V4;

/// <summary>GET /v4/account, its colours and creator profile (v4 notes §1 rows 1–4); the two stats reads are in AccountStatsEndpoints.</summary>
static partial class AccountEndpoints
{
    /// <summary>inferred: the request body's description says "up to 10 color hex codes"; Kit's wording for more is not shown.</summary>
    public const int MaxColors = 10;
    // inferred: worded like Kit's colour message when `colors` is missing or not a list of strings.
    public const string ColorsRequired = "Colors must be an array of hex color codes";
    public static string TooManyColors => $"Colors can have at most {MaxColors} entries";

    public sealed record UserResponse(string Email, long Id);
    public sealed record TimeZoneResponse(string Name, string FriendlyName, string UtcOffset);
    public sealed record SendingAddressResponse(string EmailAddress, string FromName, string Status, bool IsDefault, bool IsVerified, bool IsDmarcConfigured);
    public sealed record AccountBody(long Id, string Name, string PlanType, string PrimaryEmailAddress, DateTime CreatedAt,
        TimeZoneResponse Timezone, IReadOnlyList<SendingAddressResponse> SendingAddresses);
    public sealed record AccountResponse(UserResponse User, AccountBody Account);
    public sealed record ColorsResponse(IReadOnlyList<string> Colors);
    public sealed record ProfileBody(string Name, string Byline, string Bio, string ImageUrl, string ProfileUrl);
    public sealed record ProfileResponse(ProfileBody Profile);

    public static RouteGroupBuilder MapV4Account(this RouteGroupBuilder v4)
    {
        v4.MapGet("/account", GetAccount).WithTags("Accounts").WithSummary("Get current account").V4Errors(401);
        v4.MapGet("/account/colors", GetColors).WithTags("Accounts").WithSummary("List colors").V4Errors(401);
        v4.MapPut("/account/colors", UpdateColors).WithTags("Accounts").WithSummary("Update colors").V4Errors(401, 422);
        v4.MapGet("/account/creator_profile", GetCreatorProfile).WithTags("Accounts").WithSummary("Get Creator Profile").V4Errors(401, 404);
        v4.MapGet("/account/email_stats", GetEmailStats).WithTags("Accounts").WithSummary("Get email stats").V4Errors(401);
        v4.MapGet("/account/growth_stats", GetGrowthStats).WithTags("Accounts").WithSummary("Get growth stats").V4Errors(401, 422);
        return v4;
    }

    static async Task<JsonHttpResult<AccountResponse>> GetAccount(V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var a = await db.Accounts.AsNoTracking().SingleAsync(x => x.Id == caller.AccountId, ct);
        var zone = AccountZone(a.TimeZone);
        var offset = zone.GetUtcOffset(Instant.FromDateTimeUtc(time.UtcNow()));
        // inferred: Mailroom has no users; Kit's user is the account's login, so the primary address and the account id.
        // inferred: one sending address, the one broadcasts and sequences use by default. Mailroom sends through the
        // operator's own SMTP relay and verifies nothing, so it reports the address as usable and DMARC as unknown
        // (false). Its from_name is the account name, as the broadcasts' From header shows it.
        // inferred: Kit's 2026-07 `plan` object is not in the published document's schema, so it is left out.
        var sending = a.SendingEmailAddress ?? a.PrimaryEmailAddress;
        return V4Json.Ok(new AccountResponse(new UserResponse(a.PrimaryEmailAddress, a.Id), new AccountBody(
            a.Id, a.Name, a.PlanType, a.PrimaryEmailAddress, a.CreatedAt,
            new TimeZoneResponse(zone.Id, FriendlyZoneNames.For(zone.Id), FormatOffset(offset)),
            [new SendingAddressResponse(sending, a.Name, "active", IsDefault: true, IsVerified: true, IsDmarcConfigured: false)])));
    }

    static async Task<JsonHttpResult<ColorsResponse>> GetColors(V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        var colors = await db.Accounts.AsNoTracking().Where(a => a.Id == caller.AccountId).Select(a => a.Colors).SingleAsync(ct);
        return V4Json.Ok(new ColorsResponse(ReadColors(colors)));
    }

    static async Task<Results<JsonHttpResult<ColorsResponse>, JsonHttpResult<V4Error>>> UpdateColors(
        ApiParams p, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (p.Node("colors") is not JsonArray array || array.Any(c => c is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            return V4Error.Unprocessable(ColorsRequired);
        var colors = array.Select(c => c!.GetValue<string>().Trim()).ToList();
        var errors = colors.Where(c => !HexColor().IsMatch(c)).Select(V4Error.InvalidColor).ToList();
        if (colors.Count > MaxColors) errors.Insert(0, TooManyColors);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);
        // Stored as given (Kit's examples keep the caller's case: "#FF0000" and "#ffffff").
        var json = JsonSerializer.Serialize(colors);
        await db.Accounts.Where(a => a.Id == caller.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Colors, json), ct);
        return V4Json.Ok(new ColorsResponse(colors));
    }

    static async Task<Results<JsonHttpResult<ProfileResponse>, JsonHttpResult<V4Error>>> GetCreatorProfile(
        V4Caller caller, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var stored = await db.Accounts.AsNoTracking().Where(a => a.Id == caller.AccountId).Select(a => a.CreatorProfile).SingleAsync(ct);
        if (stored is null || JsonNode.Parse(stored) is not JsonObject o) return V4Error.NotFound();
        string Field(string name) => o[name]?.GetValue<string>() ?? "";
        // inferred: Mailroom serves no public profile page; the server's public address is where the creator's
        // readers reach it, so profile_url points there.
        return V4Json.Ok(new ProfileResponse(new ProfileBody(Field("name"), Field("byline"), Field("bio"), Field("image_url"), publicUrl.Value)));
    }

    static List<string> ReadColors(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>The account's zone from the embedded tz database (the scheduler's); UTC if the stored id is unknown.</summary>
    public static DateTimeZone AccountZone(string id) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) ?? DateTimeZone.Utc;

    static string FormatOffset(Offset offset) => NodaTime.Text.OffsetPattern.CreateWithInvariantCulture("+HH:mm").Format(offset);

    // #RGB or #RRGGBB. inferred: Kit names only the six-digit form in its examples; CSS's short form is a hex code too.
    [GeneratedRegex("^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex HexColor();
}
