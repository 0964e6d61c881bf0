using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mailroom.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Half of each broadcast_recipients page is left free when rows are inserted, so the update that marks a recipient
    /// sent (and later opened or clicked) writes the new row version on the same page and touches none of the table's
    /// five indexes (a HOT update). At the default 100 every one of those updates moved its row to a new page and
    /// inserted into every index: 83 µs of PostgreSQL CPU per sent message, the largest single cost of a PostgreSQL
    /// broadcast (bench/findings.md). The table ends no bigger than before: at 100 it doubled on the first update.
    /// Only pages filled from now on are affected.
    /// </summary>
    public partial class RecipientFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE broadcast_recipients SET (fillfactor = 50);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE broadcast_recipients RESET (fillfactor);");
        }
    }
}
