using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Events : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AudiencePlaces",
                table: "Workshops",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ImagePath",
                table: "Workshops",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Language",
                table: "Workshops",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "Online",
                table: "Workshops",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "ParticipantPlaces",
                table: "Workshops",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "PerformerPlaces",
                table: "Workshops",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "Published",
                table: "Workshops",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "RegistrationClosesUtc",
                table: "Workshops",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "RegistrationOpensUtc",
                table: "Workshops",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "Venue",
                table: "Workshops",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Notices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Urgent = table.Column<bool>(type: "INTEGER", nullable: false),
                    PostedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    WithdrawnUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Registrations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkshopId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PersonId = table.Column<string>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OfferExpiresUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ConsentedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Registrations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Registrations_Workshops_WorkshopId",
                        column: x => x.WorkshopId,
                        principalTable: "Workshops",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WorkshopSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkshopId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StartsUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkshopSessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkshopSessions_Workshops_WorkshopId",
                        column: x => x.WorkshopId,
                        principalTable: "Workshops",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Workshops_RoomId",
                table: "Workshops",
                column: "RoomId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notices_PostedUtc",
                table: "Notices",
                column: "PostedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_Registrations_PersonId",
                table: "Registrations",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_Registrations_Token",
                table: "Registrations",
                column: "Token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Registrations_WorkshopId_Email",
                table: "Registrations",
                columns: new[] { "WorkshopId", "Email" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkshopSessions_WorkshopId_StartsUtc",
                table: "WorkshopSessions",
                columns: new[] { "WorkshopId", "StartsUtc" });
            // Workshops from before events had sessions and categories: one session, every place for the audience,
            // registration open until the start. They stay public, as every workshop was before events could be drafts.
            migrationBuilder.Sql("""
                INSERT INTO WorkshopSessions (Id, WorkshopId, Title, StartsUtc, EndsUtc)
                SELECT upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12)),
                       Id, Title, StartsUtc, EndsUtc
                FROM (SELECT hex(randomblob(16)) AS h, Id, Title, StartsUtc, EndsUtc FROM Workshops);
                UPDATE Workshops SET Published = 1, AudiencePlaces = Capacity, RegistrationOpensUtc = '2000-01-01 00:00:00', RegistrationClosesUtc = StartsUtc;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Notices");

            migrationBuilder.DropTable(
                name: "Registrations");

            migrationBuilder.DropTable(
                name: "WorkshopSessions");

            migrationBuilder.DropIndex(
                name: "IX_Workshops_RoomId",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "AudiencePlaces",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "ImagePath",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "Language",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "Online",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "ParticipantPlaces",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "PerformerPlaces",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "Published",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "RegistrationClosesUtc",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "RegistrationOpensUtc",
                table: "Workshops");

            migrationBuilder.DropColumn(
                name: "Venue",
                table: "Workshops");
        }
    }
}
