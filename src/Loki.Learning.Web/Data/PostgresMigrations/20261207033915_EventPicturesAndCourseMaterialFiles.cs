using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.PostgresMigrations
{
    /// <inheritdoc />
    public partial class EventPicturesAndCourseMaterialFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ImageAlt",
                table: "Workshops",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Language",
                table: "Registrations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkBase",
                table: "Registrations",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

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

            migrationBuilder.CreateTable(
                name: "WorkshopImages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkshopId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Width = table.Column<int>(type: "integer", nullable: false),
                    Height = table.Column<int>(type: "integer", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkshopImages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkshopImages_Workshops_WorkshopId",
                        column: x => x.WorkshopId,
                        principalTable: "Workshops",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CourseMaterials_StoredFileName",
                table: "CourseMaterials",
                column: "StoredFileName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkshopImages_WorkshopId",
                table: "WorkshopImages",
                column: "WorkshopId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkshopImages");

            migrationBuilder.DropIndex(
                name: "IX_CourseMaterials_StoredFileName",
                table: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "ImageAlt",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "Language",
                table: "Registrations");

            migrationBuilder.DropColumn(
                name: "LinkBase",
                table: "Registrations");

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
