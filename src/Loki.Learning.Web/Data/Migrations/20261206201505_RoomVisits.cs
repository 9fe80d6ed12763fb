using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class RoomVisits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RoomVisits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoomTitle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OwnerTitle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PersonId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoomVisits", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RoomVisits_AtUtc",
                table: "RoomVisits",
                column: "AtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RoomVisits");
        }
    }
}
