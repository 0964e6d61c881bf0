INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
SELECT account_id, state, cancelled_at IS NOT NULL, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*)
FROM subscribers GROUP BY 1, 2, 3, 4, 5;
INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
SELECT account_id, subscribable_type, subscribable_id, state, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*)
FROM subscriptions GROUP BY 1, 2, 3, 4, 5, 6;
