namespace Mailroom.Client.V4;

/// <summary>An email template.</summary>
/// <param name="Id">The template id.</param>
/// <param name="Name">The name.</param>
/// <param name="IsDefault">Whether new emails use it by default.</param>
/// <param name="Category">E.g. <c>"HTML"</c> or <c>"Starting point"</c> (not usable for broadcasts).</param>
public sealed record EmailTemplate(long Id, string Name, bool IsDefault, string Category);

/// <summary>A segment (a saved subscriber filter, used to target broadcasts).</summary>
/// <param name="Id">The segment id.</param>
/// <param name="Name">The name.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Segment(long Id, string Name, DateTimeOffset CreatedAt);
