CREATE TRIGGER subscribers_count_update AFTER UPDATE OF account_id, state, cancelled_at, created_at ON subscribers
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.state IS NOT NEW.state
    OR (OLD.cancelled_at IS NULL) IS NOT (NEW.cancelled_at IS NULL) OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE subscriber_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND state = OLD.state AND cancelled = (OLD.cancelled_at IS NOT NULL) AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
    INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
    VALUES (NEW.account_id, NEW.state, NEW.cancelled_at IS NOT NULL, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
    ON CONFLICT (account_id, state, cancelled, day, slot) DO UPDATE SET count = count + 1;
END;
