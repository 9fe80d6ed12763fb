using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.Migrations
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
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "CourseMaterials",
                type: "TEXT",
                maxLength: 260,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Size",
                table: "CourseMaterials",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "StoredFileName",
                table: "CourseMaterials",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Url",
                table: "CourseMaterials",
                type: "TEXT",
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
