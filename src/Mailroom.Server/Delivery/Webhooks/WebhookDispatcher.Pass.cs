namespace Mailroom.Server.Delivery.Webhooks;

public sealed partial class WebhookDispatcher
{
    sealed record ClaimView(int Free, int TargetCap, Dictionary<string, int> Held, List<string> Busy);

    /// <summary>
    /// What one pass holds: deliveries claimed (leased) and waiting for a slot, requests in flight, and finished ones
    /// whose outcome is not written yet. Claims and outcome writes are batched so the database sees a few statements
    /// per few dozen deliveries rather than several per delivery.
    /// </summary>
    sealed class Pass(WebhookOptions options)
    {
        sealed class Target
        {
            public readonly Queue<Claimed> Queued = new();
            public int InFlight;
            public int Held => Queued.Count + InFlight;
        }

        readonly Dictionary<string, Target> _targets = new(StringComparer.Ordinal);
        public readonly Dictionary<Task<Outcome>, Claimed> InFlight = [];
        public readonly List<(Claimed Claimed, Outcome Outcome)> Done = [];

        /// <summary>
        /// Claimed ahead of sending, per target: as many as its slots can certainly send within half a lease even when
        /// every request runs into the timeout, so work queued behind a dead receiver never outlives its lease.
        /// </summary>
        public int TargetCap { get; } = options.MaxConcurrencyPerTarget * Waves(options);
        public int TotalCap { get; } = options.MaxConcurrency * Waves(options);
        public int Held { get; private set; }
        public int Queued { get; private set; }
        /// <summary>A target dropped to half its cap since the last claim, so claiming again is worth a query.</summary>
        public bool Reopened { get; set; }

        static int Waves(WebhookOptions o) => Math.Clamp((int)(o.Lease / o.Timeout / 2), 1, 8);

        public int Room => TotalCap - Held;

        /// <summary>
        /// What a claim needs to know, taken before it runs beside the loop: the room, what each target holds, and the
        /// targets holding more than half their cap, which are left out of claims until they drain to half.
        /// </summary>
        public ClaimView ClaimView()
        {
            Reopened = false;
            return new(Room, TargetCap, _targets.ToDictionary(t => t.Key, t => t.Value.Held, StringComparer.Ordinal),
                [.. _targets.Where(t => t.Value.Held > TargetCap / 2).Select(t => t.Key)]);
        }

        public void Add(Claimed c)
        {
            if (!_targets.TryGetValue(c.TargetUrl, out var t)) _targets[c.TargetUrl] = t = new Target();
            t.Queued.Enqueue(c);
            Held++;
            Queued++;
        }

        /// <summary>Starts queued deliveries while their target and the pass have free slots.</summary>
        public void Start(Func<Claimed, Task<Outcome>> send)
        {
            foreach (var t in _targets.Values)
                while (t.Queued.Count > 0 && t.InFlight < options.MaxConcurrencyPerTarget && InFlight.Count < options.MaxConcurrency)
                {
                    var c = t.Queued.Dequeue();
                    Queued--;
                    t.InFlight++;
                    InFlight[send(c)] = c;
                }
        }

        /// <summary>Moves finished requests (or all of them, once they have ended) to <see cref="Done"/>.</summary>
        public void Harvest(bool all)
        {
            foreach (var (task, c) in InFlight.Where(x => all || x.Key.IsCompleted).ToList())
            {
                InFlight.Remove(task);
                _targets[c.TargetUrl].InFlight--;
                // SendAsync turns every request failure into an outcome; anything else that faulted is retried like one.
                Done.Add((c, task.IsCompletedSuccessfully ? task.Result
                    : new Outcome(OutcomeKind.Retry, null, task.Exception?.GetBaseException().Message ?? "cancelled")));
                Release(c.TargetUrl);
            }
        }

        /// <summary>Claimed but never started (the pass is stopping): handed back unattempted.</summary>
        public void ReleaseQueued()
        {
            foreach (var (url, t) in _targets.ToList())
                while (t.Queued.TryDequeue(out var c))
                {
                    Queued--;
                    Done.Add((c, new Outcome(OutcomeKind.Released, null, null)));
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
}
