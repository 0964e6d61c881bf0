CREATE TRIGGER subscriptions_count_insert AFTER INSERT ON subscriptions
BEGIN
    INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
    VALUES (NEW.account_id, NEW.subscribable_type, NEW.subscribable_id, NEW.state, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
    ON CONFLICT (account_id, subscribable_type, subscribable_id, state, day, slot) DO UPDATE SET count = count + 1;
END;
