using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "confirmation_requested_at",
                table: "subscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "locked_by",
                table: "broadcasts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "broadcast_recipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "bounced",
                table: "broadcast_recipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "next_attempt_at",
                table: "broadcast_recipients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_state_confirmation_requested_at",
                table: "subscriptions",
                columns: new[] { "state", "confirmation_requested_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_subscriptions_state_confirmation_requested_at",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "confirmation_requested_at",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "locked_by",
                table: "broadcasts");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "broadcast_recipients");

            migrationBuilder.DropColumn(
                name: "bounced",
                table: "broadcast_recipients");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                table: "broadcast_recipients");
        }
    }
}
