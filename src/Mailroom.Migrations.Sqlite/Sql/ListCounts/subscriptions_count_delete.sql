CREATE TRIGGER subscriptions_count_delete AFTER DELETE ON subscriptions
BEGIN
    UPDATE subscription_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND subscribable_type = OLD.subscribable_type
        AND subscribable_id = OLD.subscribable_id AND state = OLD.state AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
END;
