CREATE TRIGGER subscriptions_count_update AFTER UPDATE OF account_id, subscribable_type, subscribable_id, state, created_at ON subscriptions
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.subscribable_type IS NOT NEW.subscribable_type
    OR OLD.subscribable_id IS NOT NEW.subscribable_id OR OLD.state IS NOT NEW.state OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE subscription_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND subscribable_type = OLD.subscribable_type
        AND subscribable_id = OLD.subscribable_id AND state = OLD.state AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
    INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
    VALUES (NEW.account_id, NEW.subscribable_type, NEW.subscribable_id, NEW.state, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
    ON CONFLICT (account_id, subscribable_type, subscribable_id, state, day, slot) DO UPDATE SET count = count + 1;
END;
