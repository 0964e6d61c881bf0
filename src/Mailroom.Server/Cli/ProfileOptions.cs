using System.CommandLine;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Cli;

/// <summary>
/// <c>accounts update --profile-name/--profile-byline/--profile-bio/--profile-image-url</c>: the creator profile
/// GET /v4/account/creator_profile returns (Kit edits it in its app; v4 has no write operation for it).
/// </summary>
sealed record ProfileOptions(Option<string?> Name, Option<string?> Byline, Option<string?> Bio, Option<string?> ImageUrl)
{
    const int MaxLength = 2000;

    public static ProfileOptions Create() => new(
        new Option<string?>("--profile-name") { Description = "Creator profile name." },
        new Option<string?>("--profile-byline") { Description = "Creator profile byline." },
        new Option<string?>("--profile-bio") { Description = "Creator profile bio." },
        new Option<string?>("--profile-image-url") { Description = "Creator profile image (an http or https URL)." });

    /// <summary>The profile fields given, by their JSON name; an empty value clears a field.</summary>
    public Dictionary<string, string> Read(System.CommandLine.ParseResult parse)
    {
        var changes = new Dictionary<string, string>();
        foreach (var (option, key) in new[] { (Name, "name"), (Byline, "byline"), (Bio, "bio"), (ImageUrl, "image_url") })
        {
            if (parse.GetValue(option) is not { } value) continue;
            value = value.Trim();
            if (value.Length > MaxLength) throw new CliException($"{option.Name} is longer than {MaxLength} characters");
            if (key == "image_url" && value.Length > 0 && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                throw new CliException($"{option.Name} '{value}' is not an http or https URL");
            changes[key] = value;
        }
        return changes;
    }

    /// <summary>The stored profile JSON with <paramref name="changes"/> applied; every field present, "" when unset.</summary>
    public static string Merge(string? stored, Dictionary<string, string> changes)
    {
        var profile = stored is null ? new JsonObject() : JsonNode.Parse(stored) as JsonObject ?? new JsonObject();
        foreach (var key in new[] { "name", "byline", "bio", "image_url" })
            profile[key] = changes.TryGetValue(key, out var value) ? value : profile[key]?.GetValue<string>() ?? "";
        return profile.ToJsonString();
    }
}
