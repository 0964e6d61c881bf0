namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>An item of <c>{"courses": [...]}</c> (spec §2 Sequence).</summary>
public sealed record SequenceResponse(long Id, string Name, bool Hold, bool Repeat, DateTime CreatedAt)
{
    public static SequenceResponse From(Sequence s) => new(s.Id, s.Name, s.Hold, s.Repeat, s.CreatedAt);
}
