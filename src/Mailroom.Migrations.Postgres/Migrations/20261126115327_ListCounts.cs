using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ListCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "subscriber_counts",
                columns: table => new
                {
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    cancelled = table.Column<bool>(type: "boolean", nullable: false),
                    day = table.Column<long>(type: "bigint", nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscriber_counts", x => new { x.account_id, x.state, x.cancelled, x.day, x.slot });
                    table.ForeignKey(
                        name: "fk_subscriber_counts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subscription_counts",
                columns: table => new
                {
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    subscribable_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    subscribable_id = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    day = table.Column<long>(type: "bigint", nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscription_counts", x => new { x.account_id, x.subscribable_type, x.subscribable_id, x.state, x.day, x.slot });
                    table.ForeignKey(
                        name: "fk_subscription_counts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The counts are kept by triggers, not by app code, so every writer (API, confirm links, bounces, CLI,
            // seeding, raw SQL imports, other processes) keeps them exact in its own transaction.
            // Each count is spread over 8 slot rows by row id and summed on read, so concurrent subscribes to one
            // account or tag do not queue on a single row lock. Inserts and deletes are counted per statement from
            // the transition table (an import of a million rows is one upsert per day and slot, not a million);
            // changes per row. Decrements are plain UPDATEs: a row always entered its count through the insert or
            // update trigger, and an account delete (which cascades here too, in no fixed order) must not re-create
            // counts. The day is created_at's UTC date as days since 1970-01-01.
            migrationBuilder.Sql("""
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
                """);
            migrationBuilder.Sql("""
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
                """);

            // Rows written before this migration. CREATE TRIGGER locks out writers until the migration commits,
            // so nothing is counted twice or missed.
            migrationBuilder.Sql("""
                INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
                SELECT account_id, state, cancelled_at IS NOT NULL, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*)
                FROM subscribers GROUP BY 1, 2, 3, 4, 5;
                INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
                SELECT account_id, subscribable_type, subscribable_id, state, ((created_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'), (id % 8)::int, count(*)
                FROM subscriptions GROUP BY 1, 2, 3, 4, 5, 6;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER subscribers_count_insert ON subscribers;
                DROP TRIGGER subscribers_count_delete ON subscribers;
                DROP TRIGGER subscribers_count_update ON subscribers;
                DROP TRIGGER subscriptions_count_insert ON subscriptions;
                DROP TRIGGER subscriptions_count_delete ON subscriptions;
                DROP TRIGGER subscriptions_count_update ON subscriptions;
                DROP FUNCTION subscriber_counts_insert(), subscriber_counts_delete(), subscriber_counts_update(),
                    subscription_counts_insert(), subscription_counts_delete(), subscription_counts_update();
                """);

            migrationBuilder.DropTable(
                name: "subscriber_counts");

            migrationBuilder.DropTable(
                name: "subscription_counts");
        }
    }
}
