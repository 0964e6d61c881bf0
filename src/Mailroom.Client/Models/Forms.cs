namespace Mailroom.Client;

/// <summary>A form or landing page (<c>GET /v3/forms</c>, <c>GET /v3/forms/{id}</c>).</summary>
/// <param name="Id">The form id.</param>
/// <param name="Name">The form name.</param>
/// <param name="CreatedAt">When the form was created.</param>
/// <param name="Type"><c>"embed"</c> for a form, <c>"hosted"</c> for a landing page.</param>
/// <param name="Format"><c>"inline"</c>, <c>"modal"</c>, <c>"slide in"</c>, <c>"sticky bar"</c>; null for landing pages.</param>
/// <param name="EmbedJs">The URL of the form's embed script.</param>
/// <param name="EmbedUrl">The URL of the form's page.</param>
/// <param name="Archived">Whether the form is archived (archived forms are listed too).</param>
/// <param name="Uid">The form's public uid, when the server sends one.</param>
/// <param name="Url">The public URL (landing pages), when the server sends one.</param>
/// <param name="Title">The form's title, when set.</param>
/// <param name="Description">The form's description, when set.</param>
/// <param name="SignUpButtonText">The sign-up button's text, when set.</param>
/// <param name="SuccessMessage">The message shown after signing up, when set.</param>
public sealed record Form(long Id, string Name, DateTimeOffset CreatedAt, string Type, string? Format, string EmbedJs, string EmbedUrl,
    bool Archived, string? Uid = null, string? Url = null, string? Title = null, string? Description = null,
    string? SignUpButtonText = null, string? SuccessMessage = null);

/// <summary>An item of the undocumented <c>GET /v3/subscription_forms</c>: a legacy subscription-form id mapped to its form.</summary>
/// <param name="Id">The legacy subscription-form id.</param>
/// <param name="FormId">The form it maps to.</param>
/// <param name="Archived">Whether the form is archived, when the server says.</param>
public sealed record SubscriptionForm(long Id, long FormId, bool? Archived = null);
