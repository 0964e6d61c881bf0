namespace Mailroom.Client;

/// <summary>A custom field (spec §2).</summary>
/// <param name="Id">The field id.</param>
/// <param name="Name">The form input name, <c>ck_field_&lt;id&gt;_&lt;key&gt;</c>; it keeps its first value when the label changes.</param>
/// <param name="Key">The key used in subscriber <c>fields</c> and templates, derived from the label.</param>
/// <param name="Label">The label.</param>
public sealed record CustomField(long Id, string Name, string Key, string Label);
