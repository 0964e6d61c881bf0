namespace Mailroom.Client;

/// <summary>The account behind the credentials (<c>GET /v3/account</c>).</summary>
/// <param name="Name">The account name; may be empty.</param>
/// <param name="PlanType">The plan, e.g. <c>"free"</c> or <c>"creator"</c>.</param>
/// <param name="PrimaryEmailAddress">The account's primary email address.</param>
public sealed record Account(string Name, string PlanType, string PrimaryEmailAddress);
