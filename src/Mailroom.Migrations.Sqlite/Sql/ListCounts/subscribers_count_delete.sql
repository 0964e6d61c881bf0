CREATE TRIGGER subscribers_count_delete AFTER DELETE ON subscribers
BEGIN
    UPDATE subscriber_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND state = OLD.state AND cancelled = (OLD.cancelled_at IS NOT NULL) AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
END;
