using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Forms;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>
/// One account of a seed file, checked completely and turned into unsaved entities before anything is
/// written. References between entries are object references here; <see cref="SeedImporter"/> turns them
/// into ids as it saves, so a file that gets this far can only fail on a concurrent database change.
/// </summary>
sealed partial class AccountPlan
{
    public required string Path { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public string? PlanType { get; init; }
    public string? ApiKey { get; init; }
    public string? ApiSecret { get; init; }
    public int? RateLimitPerMinute { get; init; }
    public string? TimeZone { get; init; }
    public string? SendingEmailAddress { get; init; }

    // Keyed by the name the file uses; insertion order is file order, which the printed result keeps.
    public Dictionary<string, CustomField> CustomFields { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Tag> Tags { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Form> Forms { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Sequence> Sequences { get; } = new(StringComparer.Ordinal);
    /// <summary>By the address as written in the file (the first time it appears).</summary>
    public Dictionary<string, Subscriber> Subscribers { get; } = new(StringComparer.Ordinal);
    public List<PlannedSubscription> Subscriptions { get; } = [];
    public List<PlannedPurchase> Purchases { get; } = [];
    public List<PlannedBroadcast> Broadcasts { get; } = [];
    public List<PlannedWebhook> Webhooks { get; } = [];

    readonly DateTime _now;
    readonly Dictionary<string, Subscriber> _subscribersByNormalizedEmail = new(StringComparer.Ordinal);

    AccountPlan(DateTime now) => _now = now;

    /// <summary>The seed's now: when placed subscribers' delays count from.</summary>
    public DateTime Now => _now;

    public static AccountPlan Build(SeedAccount source, string path, DateTime now)
    {
        var apiKey = Credential(source.ApiKey, $"{path}.api_key");
        var apiSecret = Credential(source.ApiSecret, $"{path}.api_secret");
        if (apiKey is not null && apiKey == apiSecret) throw SeedException.At($"{path}.api_secret", "must differ from api_key");
        if (source.RateLimitPerMinute is < 0) throw SeedException.At($"{path}.rate_limit_per_minute", "must be 0 (no limit) or more");
        var plan = new AccountPlan(now)
        {
            Path = path,
            Name = SeedCheck.Required(source.Name, $"{path}.name"),
            Email = SeedCheck.Email(source.PrimaryEmailAddress, $"{path}.primary_email_address"),
            PlanType = SeedCheck.Optional(source.PlanType, $"{path}.plan_type", 64),
            ApiKey = apiKey,
            ApiSecret = apiSecret,
            RateLimitPerMinute = source.RateLimitPerMinute,
            TimeZone = Zone(source.TimeZone, $"{path}.time_zone"),
            SendingEmailAddress = SeedCheck.OptionalEmail(source.SendingEmailAddress, $"{path}.sending_email_address"),
        };
        plan.AddCustomFields(source.CustomFields);
        plan.AddTags(source.Tags);
        plan.AddForms(source.Forms);
        plan.AddLayouts(source.EmailLayouts);
        plan.AddSequences(source.Sequences);
        plan.AddSubscribers(source.Subscribers);
        // Purchases before broadcasts: a purchase may add a subscriber that a broadcast was sent to.
        plan.AddPurchases(source.Purchases);
        plan.AddBroadcasts(source.Broadcasts);
        plan.AddWebhooks(source.Webhooks);
        return plan;
    }

    static string? Credential(string? value, string path)
    {
        if (value is null) return null;
        if (value.Length == 0 || value.Length > 255 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw SeedException.At(path, "must be 1 to 255 characters without spaces");
        return value;
    }

    void AddCustomFields(List<string?>? labels)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (raw, path) in SeedCheck.Entries(labels, $"{Path}.custom_fields"))
        {
            var label = SeedCheck.Required(raw, path);
            if (CustomFields.ContainsKey(label)) throw SeedException.At(path, $"custom field \"{label}\" is listed twice");
            var key = CustomFieldKeys.KeyFor(label);
            if (key.Length == 0) throw SeedException.At(path, $"\"{label}\" gives an empty key (use at least one letter or digit)");
            if (!keys.Add(key)) throw SeedException.At(path, $"\"{label}\" gives the key \"{key}\", which an earlier field already has");
            if (CustomFields.Count == CustomFieldKeys.AccountLimit)
                throw SeedException.At(path, $"an account can have at most {CustomFieldKeys.AccountLimit} custom fields");
            // Name needs the id (ck_field_<id>_<key>); the importer sets it after the first save.
            CustomFields[label] = new CustomField { Label = label, Key = key, CreatedAt = _now, UpdatedAt = _now };
        }
    }

    void AddTags(List<string?>? names)
    {
        var normalized = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (raw, path) in SeedCheck.Entries(names, $"{Path}.tags"))
        {
            var name = SeedCheck.Required(raw, path);
            // Tag names are unique per account regardless of case, as in the API.
            if (!normalized.Add(name.ToLowerInvariant())) throw SeedException.At(path, $"tag \"{name}\" is listed twice");
            Tags[name] = new Tag { Name = name, NormalizedName = name.ToLowerInvariant(), CreatedAt = _now, UpdatedAt = _now };
        }
    }

    void AddForms(List<SeedForm?>? forms)
    {
        foreach (var (source, path) in SeedCheck.Entries(forms, $"{Path}.forms"))
        {
            var name = SeedCheck.Required(source.Name, $"{path}.name");
            if (Forms.ContainsKey(name)) throw SeedException.At($"{path}.name", $"form \"{name}\" is listed twice");
            var type = SeedCheck.OneOf(source.Type, $"{path}.type", FormTypes.Embed, FormTypes.Embed, FormTypes.Hosted);
            string? format = null;
            if (type == FormTypes.Embed)
                format = SeedCheck.OneOf(source.Format, $"{path}.format", "inline", FormDefaults.Formats);
            else if (source.Format is not null)
                throw SeedException.At($"{path}.format", "applies to embed forms only; landing pages have no format");
            Forms[name] = new Form
            {
                Name = name, Type = type, Format = format, Uid = FormDefaults.NewUid(),
                Title = source.Title, Description = source.Description,
                SignUpButtonText = source.SignUpButtonText ?? "Subscribe", SuccessMessage = source.SuccessMessage,
                ConfirmationSubject = source.ConfirmationSubject, ConfirmationContent = source.ConfirmationContent,
                DoubleOptIn = source.DoubleOptIn ?? false, Archived = source.Archived ?? false, CreatedAt = _now,
            };
        }
    }
}
