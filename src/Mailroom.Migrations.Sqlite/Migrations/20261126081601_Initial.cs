using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    plan_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    primary_email_address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    api_key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    api_secret_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rate_limit_per_minute = table.Column<int>(type: "INTEGER", nullable: true),
                    webhook_signing_secret = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "broadcasts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subject = table.Column<string>(type: "TEXT", nullable: true),
                    content = table.Column<string>(type: "TEXT", nullable: true),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    @public = table.Column<bool>(name: "public", type: "INTEGER", nullable: false),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    send_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    email_address = table.Column<string>(type: "TEXT", nullable: true),
                    email_layout_template = table.Column<string>(type: "TEXT", nullable: true),
                    thumbnail_alt = table.Column<string>(type: "TEXT", nullable: true),
                    thumbnail_url = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    recipient_count = table.Column<int>(type: "INTEGER", nullable: false),
                    sent_count = table.Column<int>(type: "INTEGER", nullable: false),
                    failed_count = table.Column<int>(type: "INTEGER", nullable: false),
                    last_recipient_id = table.Column<long>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcasts", x => x.id);
                    table.ForeignKey(
                        name: "fk_broadcasts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "custom_fields",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    label = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_custom_fields", x => x.id);
                    table.ForeignKey(
                        name: "fk_custom_fields_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "email_layouts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    html = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_layouts", x => x.id);
                    table.ForeignKey(
                        name: "fk_email_layouts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "forms",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    format = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    uid = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "TEXT", nullable: true),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    sign_up_button_text = table.Column<string>(type: "TEXT", nullable: true),
                    success_message = table.Column<string>(type: "TEXT", nullable: true),
                    double_opt_in = table.Column<bool>(type: "INTEGER", nullable: false),
                    confirmation_subject = table.Column<string>(type: "TEXT", nullable: true),
                    confirmation_content = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forms", x => x.id);
                    table.ForeignKey(
                        name: "fk_forms_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sequences",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    hold = table.Column<bool>(type: "INTEGER", nullable: false),
                    repeat = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequences", x => x.id);
                    table.ForeignKey(
                        name: "fk_sequences_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subscribers",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    email_address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    normalized_email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    first_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    cancelled_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscribers", x => x.id);
                    table.ForeignKey(
                        name: "fk_subscribers_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tags",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    normalized_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tags", x => x.id);
                    table.ForeignKey(
                        name: "fk_tags_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhook_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    event_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    parameter_name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    parameter_value = table.Column<string>(type: "TEXT", nullable: true),
                    target_url = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_rules", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_rules_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "broadcast_recipients",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    broadcast_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: false),
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    failed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    opened_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clicked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clicks = table.Column<int>(type: "INTEGER", nullable: false),
                    unsubscribed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcast_recipients", x => x.id);
                    table.ForeignKey(
                        name: "fk_broadcast_recipients_broadcasts_broadcast_id",
                        column: x => x.broadcast_id,
                        principalTable: "broadcasts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_broadcast_recipients_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "purchases",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: false),
                    transaction_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: true),
                    email_address = table.Column<string>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    transaction_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    subtotal = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    shipping = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    discount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    tax = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    total = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    integration = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchases", x => x.id);
                    table.ForeignKey(
                        name: "fk_purchases_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_purchases_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subscriber_field_values",
                columns: table => new
                {
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: false),
                    custom_field_id = table.Column<long>(type: "INTEGER", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscriber_field_values", x => new { x.subscriber_id, x.custom_field_id });
                    table.ForeignKey(
                        name: "fk_subscriber_field_values_custom_fields_custom_field_id",
                        column: x => x.custom_field_id,
                        principalTable: "custom_fields",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_subscriber_field_values_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subscriptions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscribable_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    subscribable_id = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    source = table.Column<string>(type: "TEXT", nullable: true),
                    referrer = table.Column<string>(type: "TEXT", nullable: true),
                    confirmation_token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    confirmation_sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscriptions", x => x.id);
                    table.ForeignKey(
                        name: "fk_subscriptions_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_subscriptions_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    rule_id = table.Column<long>(type: "INTEGER", nullable: false),
                    outbox_event_id = table.Column<long>(type: "INTEGER", nullable: false),
                    delivery_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    target_url = table.Column<string>(type: "TEXT", nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhook_rules_rule_id",
                        column: x => x.rule_id,
                        principalTable: "webhook_rules",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "outbox_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    event_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subscriber_id = table.Column<long>(type: "INTEGER", nullable: true),
                    purchase_id = table.Column<long>(type: "INTEGER", nullable: true),
                    match_value = table.Column<string>(type: "TEXT", nullable: true),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    processed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_outbox_events_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_outbox_events_purchases_purchase_id",
                        column: x => x.purchase_id,
                        principalTable: "purchases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_outbox_events_subscribers_subscriber_id",
                        column: x => x.subscriber_id,
                        principalTable: "subscribers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "purchase_products",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    purchase_id = table.Column<long>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    pid = table.Column<long>(type: "INTEGER", nullable: false),
                    lid = table.Column<long>(type: "INTEGER", nullable: false),
                    sku = table.Column<string>(type: "TEXT", nullable: true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    unit_price = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    quantity = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchase_products", x => x.id);
                    table.ForeignKey(
                        name: "fk_purchase_products_purchases_purchase_id",
                        column: x => x.purchase_id,
                        principalTable: "purchases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_accounts_api_key_hash",
                table: "accounts",
                column: "api_key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_accounts_api_secret_hash",
                table: "accounts",
                column: "api_secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipients_broadcast_id_id",
                table: "broadcast_recipients",
                columns: new[] { "broadcast_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipients_broadcast_id_subscriber_id",
                table: "broadcast_recipients",
                columns: new[] { "broadcast_id", "subscriber_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipients_subscriber_id",
                table: "broadcast_recipients",
                column: "subscriber_id");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipients_token",
                table: "broadcast_recipients",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcasts_account_id_id",
                table: "broadcasts",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_broadcasts_status_send_at",
                table: "broadcasts",
                columns: new[] { "status", "send_at" });

            migrationBuilder.CreateIndex(
                name: "ix_custom_fields_account_id_key",
                table: "custom_fields",
                columns: new[] { "account_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_email_layouts_account_id_name",
                table: "email_layouts",
                columns: new[] { "account_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_forms_account_id_id",
                table: "forms",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_forms_uid",
                table: "forms",
                column: "uid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_account_id",
                table: "outbox_events",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_processed_at_id",
                table: "outbox_events",
                columns: new[] { "processed_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_purchase_id",
                table: "outbox_events",
                column: "purchase_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_subscriber_id",
                table: "outbox_events",
                column: "subscriber_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_products_purchase_id",
                table: "purchase_products",
                column: "purchase_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchases_account_id_transaction_id",
                table: "purchases",
                columns: new[] { "account_id", "transaction_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_purchases_subscriber_id",
                table: "purchases",
                column: "subscriber_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequences_account_id_id",
                table: "sequences",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_subscriber_field_values_custom_field_id",
                table: "subscriber_field_values",
                column: "custom_field_id");

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_account_id_cancelled_at_id",
                table: "subscribers",
                columns: new[] { "account_id", "cancelled_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_account_id_normalized_email",
                table: "subscribers",
                columns: new[] { "account_id", "normalized_email" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_account_id_state_created_at_id",
                table: "subscribers",
                columns: new[] { "account_id", "state", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_account_id_updated_at",
                table: "subscribers",
                columns: new[] { "account_id", "updated_at" });

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_account_id_subscribable_type_subscribable_id_state_created_at_id",
                table: "subscriptions",
                columns: new[] { "account_id", "subscribable_type", "subscribable_id", "state", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_confirmation_token_hash",
                table: "subscriptions",
                column: "confirmation_token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_subscriber_id_subscribable_type_subscribable_id",
                table: "subscriptions",
                columns: new[] { "subscriber_id", "subscribable_type", "subscribable_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tags_account_id_normalized_name",
                table: "tags",
                columns: new[] { "account_id", "normalized_name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_account_id_id",
                table: "webhook_deliveries",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_delivery_id",
                table: "webhook_deliveries",
                column: "delivery_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_rule_id",
                table: "webhook_deliveries",
                column: "rule_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_status_next_attempt_at",
                table: "webhook_deliveries",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_rules_account_id_event_name",
                table: "webhook_rules",
                columns: new[] { "account_id", "event_name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "broadcast_recipients");

            migrationBuilder.DropTable(
                name: "email_layouts");

            migrationBuilder.DropTable(
                name: "forms");

            migrationBuilder.DropTable(
                name: "outbox_events");

            migrationBuilder.DropTable(
                name: "purchase_products");

            migrationBuilder.DropTable(
                name: "sequences");

            migrationBuilder.DropTable(
                name: "subscriber_field_values");

            migrationBuilder.DropTable(
                name: "subscriptions");

            migrationBuilder.DropTable(
                name: "tags");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "broadcasts");

            migrationBuilder.DropTable(
                name: "purchases");

            migrationBuilder.DropTable(
                name: "custom_fields");

            migrationBuilder.DropTable(
                name: "webhook_rules");

            migrationBuilder.DropTable(
                name: "subscribers");

            migrationBuilder.DropTable(
                name: "accounts");
        }
    }
}
