CREATE FUNCTION subscriber_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO subscriber_counts AS c (account_id, state, cancelled, day, slot, count)
    SELECT account_id, state, cancelled_at IS NOT NULL, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*) FROM new_rows
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (account_id, state, cancelled, day, slot) DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION subscriber_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriber_counts AS c SET count = c.count - d.n
    FROM (SELECT account_id, state, cancelled_at IS NOT NULL AS cancelled, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day,
                 (id % 8)::int AS slot, count(*) AS n
          FROM old_rows GROUP BY 1, 2, 3, 4, 5) AS d
    WHERE c.account_id = d.account_id AND c.state = d.state AND c.cancelled = d.cancelled
        AND c.day = d.day AND c.slot = d.slot;
    RETURN NULL;
END $$;

-- The two rows are touched in key order, so a reactivation and an unsubscribe running at once
-- lock them in the same order and cannot deadlock on each other.
CREATE FUNCTION subscriber_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day bigint := ((OLD.created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01');
    new_day bigint := ((NEW.created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01');
    old_first boolean := (OLD.account_id, OLD.state, OLD.cancelled_at IS NOT NULL, old_day)
                       < (NEW.account_id, NEW.state, NEW.cancelled_at IS NOT NULL, new_day);
BEGIN
    IF old_first THEN
        UPDATE subscriber_counts SET count = count - 1
        WHERE account_id = OLD.account_id AND state = OLD.state AND cancelled = (OLD.cancelled_at IS NOT NULL)
            AND day = old_day AND slot = OLD.id % 8;
    END IF;
    INSERT INTO subscriber_counts AS c (account_id, state, cancelled, day, slot, count)
    VALUES (NEW.account_id, NEW.state, NEW.cancelled_at IS NOT NULL, new_day, NEW.id % 8, 1)
    ON CONFLICT (account_id, state, cancelled, day, slot) DO UPDATE SET count = c.count + 1;
    IF NOT old_first THEN
        UPDATE subscriber_counts SET count = count - 1
        WHERE account_id = OLD.account_id AND state = OLD.state AND cancelled = (OLD.cancelled_at IS NOT NULL)
            AND day = old_day AND slot = OLD.id % 8;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER subscribers_count_insert AFTER INSERT ON subscribers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriber_counts_insert();
CREATE TRIGGER subscribers_count_delete AFTER DELETE ON subscribers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriber_counts_delete();
CREATE TRIGGER subscribers_count_update AFTER UPDATE OF account_id, state, cancelled_at, created_at ON subscribers
    FOR EACH ROW WHEN (OLD.account_id <> NEW.account_id OR OLD.state <> NEW.state
        OR (OLD.cancelled_at IS NULL) <> (NEW.cancelled_at IS NULL) OR OLD.created_at <> NEW.created_at)
    EXECUTE FUNCTION subscriber_counts_update();
