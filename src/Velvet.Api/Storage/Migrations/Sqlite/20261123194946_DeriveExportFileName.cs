using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Velvet.Api.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeriveExportFileName : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FileName",
                table: "ExportJobs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "ExportJobs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }
    }
}
