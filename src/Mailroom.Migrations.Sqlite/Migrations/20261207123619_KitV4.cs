using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class KitV4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "outbox_events",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "preview_text",
                table: "broadcasts",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subscriber_filter",
                table: "broadcasts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "colors",
                table: "accounts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "creator_profile",
                table: "accounts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    hint = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "bulk_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    operation = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    payload_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    callback_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    result = table.Column<string>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    locked_by = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    callback_delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    callback_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_callback_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    callback_last_error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bulk_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_bulk_jobs_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    definition = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segments", x => x.id);
                    table.ForeignKey(
                        name: "fk_segments_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "snippets",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    snippet_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    content = table.Column<string>(type: "TEXT", nullable: true),
                    value_html = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_snippets", x => x.id);
                    table.ForeignKey(
                        name: "fk_snippets_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_account_id_state_id",
                table: "subscribers",
                columns: new[] { "account_id", "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_account_id_id",
                table: "api_keys",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_key_hash",
                table: "api_keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bulk_jobs_account_id_status",
                table: "bulk_jobs",
                columns: new[] { "account_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_bulk_jobs_next_callback_at",
                table: "bulk_jobs",
                column: "next_callback_at",
                filter: "next_callback_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_bulk_jobs_status_id",
                table: "bulk_jobs",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_segments_account_id_id",
                table: "segments",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_snippets_account_id_id",
                table: "snippets",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_snippets_account_id_key",
                table: "snippets",
                columns: new[] { "account_id", "key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "bulk_jobs");

            migrationBuilder.DropTable(
                name: "segments");

            migrationBuilder.DropTable(
                name: "snippets");

            migrationBuilder.DropIndex(
                name: "ix_subscribers_account_id_state_id",
                table: "subscribers");

            // Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+) instead of EF's table rebuild, which would run outside the
            // transaction and drop the tables' triggers and foreign keys pointing at them.
            migrationBuilder.Sql("ALTER TABLE outbox_events DROP COLUMN payload;");
            migrationBuilder.Sql("ALTER TABLE broadcasts DROP COLUMN preview_text;");
            migrationBuilder.Sql("ALTER TABLE broadcasts DROP COLUMN subscriber_filter;");
            migrationBuilder.Sql("ALTER TABLE accounts DROP COLUMN colors;");
            migrationBuilder.Sql("ALTER TABLE accounts DROP COLUMN creator_profile;");
        }
    }
}
