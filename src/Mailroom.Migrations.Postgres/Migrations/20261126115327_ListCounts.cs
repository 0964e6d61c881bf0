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
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscriber_counts.sql"));
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/subscription_counts.sql"));

            // Rows written before this migration. CREATE TRIGGER locks out writers until the migration commits,
            // so nothing is counted twice or missed.
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/backfill.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MigrationSql.Read("ListCounts/down.sql"));

            migrationBuilder.DropTable(
                name: "subscriber_counts");

            migrationBuilder.DropTable(
                name: "subscription_counts");
        }
    }
}
