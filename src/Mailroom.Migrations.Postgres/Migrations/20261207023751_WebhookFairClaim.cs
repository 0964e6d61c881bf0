using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WebhookFairClaim : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_account_id_status_next_attempt_at_id",
                table: "webhook_deliveries",
                columns: new[] { "account_id", "status", "next_attempt_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_account_id_status_next_attempt_at_id",
                table: "webhook_deliveries");
        }
    }
}
