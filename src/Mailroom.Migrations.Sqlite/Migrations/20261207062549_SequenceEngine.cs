using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SequenceEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "completed_at",
                table: "subscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "next_send_at",
                table: "subscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "sequence_anchor_at",
                table: "subscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "sequence_position",
                table: "subscriptions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "sequence_round",
                table: "subscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "active",
                table: "sequences",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "deleted_at",
                table: "sequences",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "email_address",
                table: "sequences",
                type: "TEXT",
                maxLength: 320,
                nullable: true);

            // SQLite adds a column with its foreign key in place; EF Core would rebuild the table for the key, outside a
            // transaction (PRAGMA foreign_keys), with a warning on every first start.
            migrationBuilder.Sql("ALTER TABLE sequences ADD COLUMN email_template_id INTEGER NULL CONSTRAINT fk_sequences_email_layouts_email_template_id REFERENCES email_layouts (id) ON DELETE SET NULL;");

            migrationBuilder.AddColumn<string>(
                name: "exclude_subscriber_sources",
                table: "sequences",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<int>(
                name: "send_days",
                table: "sequences",
                type: "INTEGER",
                nullable: false,
                defaultValue: 127);

            migrationBuilder.AddColumn<int>(
                name: "send_hour",
                table: "sequences",
                type: "INTEGER",
                nullable: false,
                defaultValue: 9);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "sequences",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "updated_at",
                table: "sequences",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "sending_email_address",
                table: "accounts",
                type: "TEXT",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "accounts",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            // Sequences made before this migration were last changed when created.
            migrationBuilder.Sql("UPDATE sequences SET updated_at = created_at;");
            // Subscribers already in a sequence start it from when they joined once its emails are published.
            migrationBuilder.Sql("UPDATE subscriptions SET sequence_anchor_at = created_at WHERE subscribable_type = 'course' AND state = 'active';");

            migrationBuilder.CreateTable(
                name: "sequence_emails",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sequence_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    preview_text = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    content = table.Column<string>(type: "TEXT", nullable: true),
                    delay_value = table.Column<int>(type: "INTEGER", nullable: false),
                    delay_unit = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    send_days = table.Column<int>(type: "INTEGER", nullable: true),
                    published = table.Column<bool>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    email_template_id = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_emails", x => x.id);
                    table.ForeignKey(
                        name: "fk_sequence_emails_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_sequence_emails_email_layouts_email_template_id",
                        column: x => x.email_template_id,
                        principalTable: "email_layouts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_sequence_emails_sequences_sequence_id",
                        column: x => x.sequence_id,
                        principalTable: "sequences",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sequence_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sequence_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sequence_email_id = table.Column<long>(type: "INTEGER", nullable: true),
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: false),
                    round = table.Column<int>(type: "INTEGER", nullable: false),
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completes = table.Column<bool>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    failed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    bounced = table.Column<bool>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    opened_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clicked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clicks = table.Column<int>(type: "INTEGER", nullable: false),
                    unsubscribed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    locked_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_sequence_deliveries_sequence_emails_sequence_email_id",
                        column: x => x.sequence_email_id,
                        principalTable: "sequence_emails",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_sequence_deliveries_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_next_send_at",
                table: "subscriptions",
                column: "next_send_at",
                filter: "next_send_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sequences_email_template_id",
                table: "sequences",
                column: "email_template_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_deliveries_pending",
                table: "sequence_deliveries",
                columns: new[] { "due_at", "id" },
                filter: "sent_at IS NULL AND failed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_deliveries_sequence_email_id_subscriber_id_round",
                table: "sequence_deliveries",
                columns: new[] { "sequence_email_id", "subscriber_id", "round" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sequence_deliveries_subscriber_id_sequence_id",
                table: "sequence_deliveries",
                columns: new[] { "subscriber_id", "sequence_id" });

            migrationBuilder.CreateIndex(
                name: "ix_sequence_deliveries_token",
                table: "sequence_deliveries",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sequence_emails_account_id",
                table: "sequence_emails",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_emails_email_template_id",
                table: "sequence_emails",
                column: "email_template_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_emails_sequence_id_position",
                table: "sequence_emails",
                columns: new[] { "sequence_id", "position" },
                unique: true);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_sequences_email_layouts_email_template_id",
                table: "sequences");

            migrationBuilder.DropTable(
                name: "sequence_deliveries");

            migrationBuilder.DropTable(
                name: "sequence_emails");

            migrationBuilder.DropIndex(
                name: "ix_subscriptions_next_send_at",
                table: "subscriptions");

            migrationBuilder.DropIndex(
                name: "ix_sequences_email_template_id",
                table: "sequences");

            // SQLite's own DROP COLUMN, not EF Core's table rebuild: a rebuild would drop the list-count triggers on subscriptions.
            migrationBuilder.Sql("ALTER TABLE subscriptions DROP COLUMN completed_at;");

            migrationBuilder.Sql("ALTER TABLE subscriptions DROP COLUMN next_send_at;");

            migrationBuilder.Sql("ALTER TABLE subscriptions DROP COLUMN sequence_anchor_at;");

            migrationBuilder.Sql("ALTER TABLE subscriptions DROP COLUMN sequence_position;");

            migrationBuilder.Sql("ALTER TABLE subscriptions DROP COLUMN sequence_round;");

            migrationBuilder.DropColumn(
                name: "active",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "email_address",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "email_template_id",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "exclude_subscriber_sources",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "send_days",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "send_hour",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "sequences");

            migrationBuilder.DropColumn(
                name: "sending_email_address",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "accounts");
        }
    }
}
