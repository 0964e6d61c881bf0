namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>A form or landing page as <c>GET /v3/forms</c> lists it: the union of every field any Kit source shows (spec §2).</summary>
public sealed record FormResponse(long Id, string Name, DateTime CreatedAt, string Type, string? Format,
    string EmbedJs, string EmbedUrl, bool Archived, string Uid,
    string Url, string? Title, string? Description, string? SignUpButtonText, string? SuccessMessage)
{
    // Kit's 2022 objects point at <sub>.ck.page/<uid>/index.js and <sub>.ck.page/<uid>. Mailroom serves
    // the same pair from its own PublicUrl: /forms/<uid>/index.js (the embed script) and /forms/<uid>
    // (the form's page; a landing page's public url). Kit's `url` was the landing page; an embed form's
    // page is the closest equivalent, so `url` equals `embed_url` for both types. The delivery side serves them.
    public static FormResponse From(Form f, string publicUrl)
    {
        var page = $"{publicUrl}/forms/{f.Uid}";
        return new(f.Id, f.Name, f.CreatedAt, f.Type, f.Format, $"{page}/index.js", page, f.Archived, f.Uid,
            page, f.Title, f.Description, f.SignUpButtonText, f.SuccessMessage);
    }
}

/// <summary>
/// An item of the undocumented <c>GET /v3/subscription_forms</c>: Kit maps legacy subscription-form ids to forms.
/// Mailroom has no legacy ids, so each form maps to itself (inferred).
/// </summary>
public sealed record SubscriptionFormResponse(long Id, long FormId, bool Archived);
