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
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscribers_count_insert.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscribers_count_delete.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscribers_count_update.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscriptions_count_insert.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscriptions_count_delete.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscriptions_count_update.sql"));

            // Rows written before this migration; the migration's transaction holds the write lock throughout.
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/backfill_subscribers.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/backfill_subscriptions.sql"));
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
