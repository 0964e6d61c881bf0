using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Sqlite.Migrations
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
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    cancelled = table.Column<bool>(type: "INTEGER", nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    slot = table.Column<int>(type: "INTEGER", nullable: false),
                    count = table.Column<long>(type: "INTEGER", nullable: false)
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
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscribable_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    subscribable_id = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    slot = table.Column<int>(type: "INTEGER", nullable: false),
                    count = table.Column<long>(type: "INTEGER", nullable: false)
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
            // seeding, raw SQL imports) keeps them exact in its own transaction. SQLite has one writer at a time:
            // everything goes to slot 0. The day is taken from created_at's text (the date EF writes first), so a
            // row counted on day D is exactly a row with D <= created_at < D + 1 in the list queries' comparisons.
            // Decrements are plain UPDATEs: a row always entered its count through the insert or update trigger
            // first, and an account delete (which cascades to the counts too) must not re-create them.
            migrationBuilder.Sql("""
                CREATE TRIGGER subscribers_count_insert AFTER INSERT ON subscribers
                BEGIN
                    INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
                    VALUES (NEW.account_id, NEW.state, NEW.cancelled_at IS NOT NULL, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
                    ON CONFLICT (account_id, state, cancelled, day, slot) DO UPDATE SET count = count + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER subscribers_count_delete AFTER DELETE ON subscribers
                BEGIN
                    UPDATE subscriber_counts SET count = count - 1
                    WHERE account_id = OLD.account_id AND state = OLD.state AND cancelled = (OLD.cancelled_at IS NOT NULL) AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
                END;
                """);
            migrationBuilder.Sql("""
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
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER subscriptions_count_insert AFTER INSERT ON subscriptions
                BEGIN
                    INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
                    VALUES (NEW.account_id, NEW.subscribable_type, NEW.subscribable_id, NEW.state, CAST(julianday(substr(NEW.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, 1)
                    ON CONFLICT (account_id, subscribable_type, subscribable_id, state, day, slot) DO UPDATE SET count = count + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER subscriptions_count_delete AFTER DELETE ON subscriptions
                BEGIN
                    UPDATE subscription_counts SET count = count - 1
                    WHERE account_id = OLD.account_id AND subscribable_type = OLD.subscribable_type
                        AND subscribable_id = OLD.subscribable_id AND state = OLD.state AND day = CAST(julianday(substr(OLD.created_at, 1, 10)) - 2440587.5 AS INTEGER) AND slot = 0;
                END;
                """);
            migrationBuilder.Sql("""
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
                """);

            // Rows written before this migration; the migration's transaction holds the write lock throughout.
            migrationBuilder.Sql("""
                INSERT INTO subscriber_counts (account_id, state, cancelled, day, slot, count)
                SELECT account_id, state, cancelled_at IS NOT NULL, CAST(julianday(substr(subscribers.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, count(*) FROM subscribers
                GROUP BY 1, 2, 3, 4;
                """);
            migrationBuilder.Sql("""
                INSERT INTO subscription_counts (account_id, subscribable_type, subscribable_id, state, day, slot, count)
                SELECT account_id, subscribable_type, subscribable_id, state, CAST(julianday(substr(subscriptions.created_at, 1, 10)) - 2440587.5 AS INTEGER), 0, count(*)
                FROM subscriptions GROUP BY 1, 2, 3, 4, 5;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[]
                     {
                         "subscribers_count_insert", "subscribers_count_delete", "subscribers_count_update",
                         "subscriptions_count_insert", "subscriptions_count_delete", "subscriptions_count_update",
                     })
                migrationBuilder.Sql($"DROP TRIGGER {trigger};");

            migrationBuilder.DropTable(
                name: "subscriber_counts");

            migrationBuilder.DropTable(
                name: "subscription_counts");
        }
    }
}
