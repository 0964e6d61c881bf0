CREATE TRIGGER subscribers_count_insert AFTER INSERT ON subscribers
BEGIN
    INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
    VALUES (NEW.account_id, NEW.state, NEW.cancelled_at IS NOT NULL, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
    ON CONFLICT (account_id, state, cancelled, day, slot) DO UPDATE SET count = count + 1;
END;
