using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.PostgresMigrations
{
    /// <inheritdoc />
    public partial class CourseMaterialFilesAndLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentType",
                table: "CourseMaterials",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "CourseMaterials",
                type: "character varying(260)",
                maxLength: 260,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Size",
                table: "CourseMaterials",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "StoredFileName",
                table: "CourseMaterials",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Url",
                table: "CourseMaterials",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_CourseMaterials_StoredFileName",
                table: "CourseMaterials",
                column: "StoredFileName",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CourseMaterials_StoredFileName",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "ContentType",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "FileName",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "Size",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "StoredFileName",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "Url",
                table: "CourseMaterials");
        }
    }
}
