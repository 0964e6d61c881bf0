INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
SELECT account_id, state, cancelled_at IS NOT NULL, CAST(julianday(substr(subscribers.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, count(*) FROM subscribers
GROUP BY 1, 2, 3, 4;
