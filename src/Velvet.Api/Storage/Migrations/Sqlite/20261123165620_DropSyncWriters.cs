using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Velvet.Api.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DropSyncWriters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SyncWriters");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SyncWriters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExpiresTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SyncWriters", x => x.Id);
                });
        }
    }
}
