namespace Mailroom.Client;

/// <summary>A sequence (Kit's older name: course), as <c>GET /v3/sequences</c> lists it.</summary>
/// <param name="Id">The sequence id.</param>
/// <param name="Name">The sequence name.</param>
/// <param name="Hold">Whether new subscribers are held.</param>
/// <param name="Repeat">Whether subscribers may go through it again.</param>
/// <param name="CreatedAt">When the sequence was created.</param>
public sealed record Sequence(long Id, string Name, bool Hold, bool Repeat, DateTimeOffset CreatedAt);
