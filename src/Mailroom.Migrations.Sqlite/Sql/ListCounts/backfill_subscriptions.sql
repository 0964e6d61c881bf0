INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
SELECT account_id, subscribable_type, subscribable_id, state, CAST(julianday(substr(subscriptions.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, count(*)
FROM subscriptions GROUP BY 1, 2, 3, 4, 5;
