namespace Mailroom.Server.Delivery.Webhooks;

/// <summary>A delivery claimed (leased) by this process, with what sending it needs.</summary>
sealed record WebhookClaim(long Id, Guid DeliveryId, long AccountId, string TargetUrl, string Payload, string EventName,
    bool RuleEnabled, string? Secret, int Attempts, DateTime CreatedAt);

enum WebhookOutcomeKind { Delivered, Retry, Refused, Released }

sealed record WebhookOutcome(WebhookOutcomeKind Kind, int? StatusCode, string? Error);

/// <summary>What a claim needs to know, taken before it runs beside the loop (see <see cref="WebhookPass.BeginClaim"/>).</summary>
sealed record WebhookClaimView(int Free, int TargetCap, Dictionary<string, int> Held, List<string> Busy);

/// <summary>What the loop should start next; see <see cref="WebhookPass.Next"/>.</summary>
readonly record struct WebhookPassSteps(bool Finish, bool FanOut, bool Claim, bool Record);

/// <summary>
/// One dispatcher pass's state and decisions, without I/O: deliveries claimed and waiting for a slot, requests in
/// flight, finished ones whose outcome is not written yet, and when to fan out, claim, record and finish. The
/// dispatcher runs the statements and requests this decides on. Claims and outcome writes are batched so the database
/// sees a few statements per few dozen deliveries rather than several per delivery.
/// </summary>
sealed class WebhookPass(WebhookOptions options, TimeSpan pollInterval)
{
    sealed class Target
    {
        public readonly Queue<WebhookClaim> Queued = new();
        public int InFlight;
        public int Held => Queued.Count + InFlight;
    }

    readonly Dictionary<string, Target> _targets = new(StringComparer.Ordinal);
    readonly Dictionary<long, int> _accountsInFlight = [];

    // What the last finished fan-out and claim found (-1: not known since new deliveries appeared): a pass ends when
    // nothing is held or running and both last looked and found nothing.
    int _lastFanned = -1;
    int _lastClaimed = -1;
    bool _moreEvents = true;
    bool _fannedNothingNow;
    bool _fannedDuringClaim;
    int _claimRoom;
    // When a claim last found less than it had room for (null: it filled its room, or new deliveries appeared since).
    TimeSpan? _dryAt;
    TimeSpan _claimedAt;

    /// <summary>Finished requests whose outcome is not written yet.</summary>
    public readonly List<(WebhookClaim Claim, WebhookOutcome Outcome)> Done = [];

    /// <summary>
    /// Claimed ahead of sending, per target: as many as its slots can certainly send within half a lease even when
    /// every request runs into the timeout, so work queued behind a dead receiver never outlives its lease.
    /// </summary>
    public int TargetCap { get; } = options.MaxConcurrencyPerTarget * Waves(options);
    public int TotalCap { get; } = options.MaxConcurrency * Waves(options);
    public int Held { get; private set; }
    public int Queued { get; private set; }
    public int InFlight { get; private set; }
    /// <summary>A target dropped to half its cap since the last claim, so claiming again is worth a query.</summary>
    public bool Reopened { get; private set; }
    public int Room => TotalCap - Held;

    static int Waves(WebhookOptions o) => Math.Clamp((int)(o.Lease / o.Timeout / 2), 1, 8);

    /// <summary>A fan-out finished, having handled <paramref name="count"/> events.</summary>
    public void FanOutFinished(int count, bool claiming)
    {
        _lastFanned = count;
        _fannedNothingNow = count == 0;
        _moreEvents = count > 0;
        if (count == 0) return;
        _dryAt = null;
        _lastClaimed = -1;
        // The claim running now may have looked before these deliveries were written.
        _fannedDuringClaim = claiming;
    }

    /// <summary>
    /// A claim finished. <paramref name="exhausted"/>: it looked at every account with due work, so finding less than
    /// its room means there is no more for now (a claim that left accounts for the next one is not dry).
    /// </summary>
    public void ClaimFinished(IReadOnlyList<WebhookClaim> claims, bool exhausted, TimeSpan now)
    {
        foreach (var c in claims) Add(c);
        _lastClaimed = _fannedDuringClaim ? -1 : claims.Count;
        _dryAt = exhausted && claims.Count < _claimRoom ? now : null;
    }

    /// <summary>
    /// What to start now, given what is running. Claiming costs a few statements, so it waits until half the pass's
    /// room is free, and after a claim that found less than it could take, until a busy target drains to half, new
    /// deliveries were fanned out or the poll interval passes. A pass held more than half full (by receivers that
    /// answer slowly or never) still claims into what room it has once a poll interval: otherwise another account's
    /// new delivery waited until that backlog drained. An idle pass looks again once a fan-out has run since
    /// its last look, and ends when both last looked and found nothing. Outcomes are written a batch at a time while
    /// requests are in flight (each write is a commit on the database's one writer); at once when nothing is left in
    /// flight or nothing answered for a poll interval, so a slow receiver never leaves others unrecorded.
    /// </summary>
    public WebhookPassSteps Next(bool fanning, bool claiming, bool recording, bool answered, TimeSpan now)
    {
        var fannedNothingNow = _fannedNothingNow;
        _fannedNothingNow = false;
        var idle = Held == 0 && Done.Count == 0 && !claiming && !fanning && !recording;
        if (idle && _lastFanned == 0 && _lastClaimed == 0) return new(true, false, false, false);

        var claim = !claiming && (Held == 0
            ? _lastClaimed != 0 || !fanning
            : Held <= TotalCap / 2 ? _dryAt is null || Reopened || now - _dryAt.Value >= pollInterval
            : Room > 0 && now - _claimedAt >= pollInterval);
        var fanOut = !fanning && (_moreEvents || claim && !fannedNothingNow);
        var record = !recording && Done.Count > 0 && (Done.Count >= options.MaxConcurrency || InFlight == 0 || !answered);
        return new(false, fanOut, claim, record);
    }

    /// <summary>
    /// The room, what each target holds, and the targets holding more than half their cap, which are left out of
    /// claims until they drain to half: a target with a backlog then takes turns with the others in claims.
    /// </summary>
    public WebhookClaimView BeginClaim(TimeSpan now)
    {
        _claimedAt = now;
        Reopened = false;
        _fannedDuringClaim = false;
        _claimRoom = Room;
        return new(Room, TargetCap, _targets.ToDictionary(t => t.Key, t => t.Value.Held, StringComparer.Ordinal),
            [.. _targets.Where(t => t.Value.Held > TargetCap / 2).Select(t => t.Key)]);
    }

    public void Add(WebhookClaim c)
    {
        if (!_targets.TryGetValue(c.TargetUrl, out var t)) _targets[c.TargetUrl] = t = new Target();
        t.Queued.Enqueue(c);
        Held++;
        Queued++;
    }

    /// <summary>
    /// Takes the queued deliveries to send now, while their target and the pass have free slots. Each free slot goes
    /// to the account with the fewest requests in flight, then to its target with the fewest: an account whose
    /// receivers hang holds slots only until another account has work, and never all of them for long.
    /// </summary>
    public List<WebhookClaim> StartNext()
    {
        var started = new List<WebhookClaim>();
        while (InFlight < options.MaxConcurrency)
        {
            Target? best = null;
            var bestAccount = int.MaxValue;
            foreach (var t in _targets.Values)
            {
                if (t.Queued.Count == 0 || t.InFlight >= options.MaxConcurrencyPerTarget) continue;
                var account = _accountsInFlight.GetValueOrDefault(t.Queued.Peek().AccountId);
                if (account < bestAccount || account == bestAccount && t.InFlight < best!.InFlight) (best, bestAccount) = (t, account);
            }
            if (best is null) break;
            var c = best.Queued.Dequeue();
            Queued--;
            best.InFlight++;
            InFlight++;
            _accountsInFlight[c.AccountId] = bestAccount + 1;
            started.Add(c);
        }
        return started;
    }

    /// <summary>A request started by <see cref="StartNext"/> ended; its outcome waits in <see cref="Done"/>.</summary>
    public void Finished(WebhookClaim c, WebhookOutcome outcome)
    {
        _targets[c.TargetUrl].InFlight--;
        InFlight--;
        if (--_accountsInFlight[c.AccountId] == 0) _accountsInFlight.Remove(c.AccountId);
        Done.Add((c, outcome));
        Release(c.TargetUrl);
    }

    /// <summary>Claimed but never started (the pass is stopping): handed back unattempted.</summary>
    public void ReleaseQueued()
    {
        foreach (var (url, t) in _targets.ToList())
            while (t.Queued.TryDequeue(out var c))
            {
                Queued--;
                Done.Add((c, new WebhookOutcome(WebhookOutcomeKind.Released, null, null)));
                Release(url);
            }
    }

    void Release(string url)
    {
        var t = _targets[url];
        Held--;
        if (t.Held == TargetCap / 2) Reopened = true;
        if (t.Held == 0) _targets.Remove(url);
    }
}
