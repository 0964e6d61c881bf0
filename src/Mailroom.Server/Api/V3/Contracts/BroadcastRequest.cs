using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>
/// Reads the broadcast parameters of create and update (spec §3.6) onto an entity. Every parameter is
/// optional; one that is absent keeps the entity's value, so the same code makes a fresh draft and does a
/// partial update. Sent as null or blank, a parameter is cleared (email address and layout go back to
/// their defaults).
/// </summary>
static class BroadcastRequest
{
    // Rails-style full messages for the 422 body (spec §8), kept with every other message in ApiError.
    static readonly string EmailInvalid = ApiError.EmailInvalidMessage;
    static readonly string SendAtInvalid = ApiError.InvalidMessage("Send at");
    static readonly string PublishedAtInvalid = ApiError.InvalidMessage("Published at");
    static string LayoutUnknown(string name) => ApiError.LayoutUnknownMessage(name);
    static string NotLiquid(string field, string reason) => ApiError.NotLiquidMessage(field, reason);

    /// <summary>Applies the parameters to <paramref name="target"/>; returns the validation messages (empty when valid).</summary>
    public static async Task<List<string>> ApplyAsync(ApiParams p, Broadcast target, string defaultEmail, AppDbContext db, CancellationToken ct)
    {
        var errors = new List<string>();

        if (Given(p, "subject")) target.Subject = p.String("subject");
        if (Given(p, "content")) target.Content = p.String("content");
        if (Given(p, "description")) target.Description = p.String("description");
        if (Given(p, "thumbnail_alt")) target.ThumbnailAlt = p.String("thumbnail_alt");
        if (Given(p, "thumbnail_url")) target.ThumbnailUrl = p.String("thumbnail_url");
        // The PHP SDK sends public:false on every update; null means "not given" here.
        if (p.Bool("public") is { } isPublic) target.Public = isPublic;

        if (Given(p, "email_address"))
        {
            var email = p.String("email_address");
            if (email is null) target.EmailAddress = defaultEmail;
            else if (EmailAddress.IsValid(email)) target.EmailAddress = email;
            else errors.Add(EmailInvalid);
        }

        if (Given(p, "email_layout_template"))
        {
            var name = p.String("email_layout_template");
            var resolved = name is null ? EmailLayouts.TextOnly : await EmailLayouts.ResolveNameAsync(db, target.AccountId, name, ct);
            if (resolved is null) errors.Add(LayoutUnknown(name!));
            else target.EmailLayoutTemplate = resolved;
        }

        if (Given(p, "published_at"))
        {
            if (ReadTime(p, "published_at", out var publishedAt)) target.PublishedAt = publishedAt;
            else errors.Add(PublishedAtInvalid);
        }

        if (Given(p, "send_at"))
        {
            if (ReadTime(p, "send_at", out var sendAt))
            {
                target.SendAt = sendAt;
                target.Status = BroadcastLifecycle.StatusFor(sendAt);
            }
            else errors.Add(SendAtInvalid);
        }

        if (Given(p, "subject") && LiquidTemplates.Problem(target.Subject) is { } subjectError)
            errors.Add(NotLiquid("Subject", subjectError));
        if (Given(p, "content") && LiquidTemplates.Problem(target.Content) is { } contentError)
            errors.Add(NotLiquid("Content", contentError));
        return errors;
    }

    // Present in the request, even as JSON null (a cleared value), which ApiParams.Has does not count.
    static bool Given(ApiParams p, string name) => p.Root.ContainsKey(name);

    static bool ReadTime(ApiParams p, string name, out DateTime? value)
    {
        value = null;
        var text = p.String(name);
        if (text is null) return true;
        if (!KitTimestamps.TryParse(text, out var utc)) return false;
        value = utc;
        return true;
    }
}
