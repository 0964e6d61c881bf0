CREATE FUNCTION subscription_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO subscription_counts AS c (account_id, subscribable_type, subscribable_id, state, day, slot, count)
    SELECT account_id, subscribable_type, subscribable_id, state, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (account_id, subscribable_type, subscribable_id, state, day, slot)
        DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION subscription_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscription_counts AS c SET count = c.count - d.n
    FROM (SELECT account_id, subscribable_type, subscribable_id, state, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day,
                 (id % 8)::int AS slot, count(*) AS n
          FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6) AS d
    WHERE c.account_id = d.account_id AND c.subscribable_type = d.subscribable_type
        AND c.subscribable_id = d.subscribable_id AND c.state = d.state AND c.day = d.day AND c.slot = d.slot;
    RETURN NULL;
END $$;

CREATE FUNCTION subscription_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day bigint := ((OLD.created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01');
    new_day bigint := ((NEW.created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01');
    old_first boolean := (OLD.account_id, OLD.subscribable_type, OLD.subscribable_id, OLD.state, old_day)
                       < (NEW.account_id, NEW.subscribable_type, NEW.subscribable_id, NEW.state, new_day);
BEGIN
    IF old_first THEN
        UPDATE subscription_counts SET count = count - 1
        WHERE account_id = OLD.account_id AND subscribable_type = OLD.subscribable_type
            AND subscribable_id = OLD.subscribable_id AND state = OLD.state AND day = old_day AND slot = OLD.id % 8;
    END IF;
    INSERT INTO subscription_counts AS c (account_id, subscribable_type, subscribable_id, state, day, slot, count)
    VALUES (NEW.account_id, NEW.subscribable_type, NEW.subscribable_id, NEW.state, new_day, NEW.id % 8, 1)
    ON CONFLICT (account_id, subscribable_type, subscribable_id, state, day, slot) DO UPDATE SET count = c.count + 1;
    IF NOT old_first THEN
        UPDATE subscription_counts SET count = count - 1
        WHERE account_id = OLD.account_id AND subscribable_type = OLD.subscribable_type
            AND subscribable_id = OLD.subscribable_id AND state = OLD.state AND day = old_day AND slot = OLD.id % 8;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriptions_count_insert AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscription_counts_insert();
CREATE TRIGGER subscriptions_count_delete AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subscription_counts_delete();
CREATE TRIGGER subscriptions_count_update AFTER UPDATE OF account_id, subscribable_type, subscribable_id, state, created_at
    ON subscriptions
    FOR EACH ROW WHEN (OLD.account_id <> NEW.account_id OR OLD.subscribable_type <> NEW.subscribable_type
        OR OLD.subscribable_id <> NEW.subscribable_id OR OLD.state <> NEW.state OR OLD.created_at <> NEW.created_at)
    EXECUTE FUNCTION subscription_counts_update();
