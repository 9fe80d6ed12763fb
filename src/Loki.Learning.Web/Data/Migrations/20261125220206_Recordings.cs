using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loki.Learning.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Recordings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RecordingPolicies",
                columns: table => new
                {
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RetentionDays = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordingPolicies", x => x.OwnerId);
                });

            migrationBuilder.CreateTable(
                name: "Recordings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerKind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StartedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StartedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Folder = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MixFile = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    StartEpochMs = table.Column<double>(type: "REAL", nullable: false),
                    DurationSeconds = table.Column<double>(type: "REAL", nullable: false),
                    DroppedBlocks = table.Column<long>(type: "INTEGER", nullable: false),
                    ScoreId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Recordings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordingComments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ParentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AtSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Bar = table.Column<int>(type: "INTEGER", nullable: true),
                    TrackId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AuthorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordingComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RecordingComments_RecordingComments_ParentId",
                        column: x => x.ParentId,
                        principalTable: "RecordingComments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RecordingComments_Recordings_RecordingId",
                        column: x => x.RecordingId,
                        principalTable: "Recordings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RecordingEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RecordingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AtSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Bar = table.Column<int>(type: "INTEGER", nullable: true),
                    Bpm = table.Column<double>(type: "REAL", nullable: true),
                    BeatsPerBar = table.Column<int>(type: "INTEGER", nullable: true),
                    BeatUnit = table.Column<int>(type: "INTEGER", nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordingEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RecordingEvents_Recordings_RecordingId",
                        column: x => x.RecordingId,
                        principalTable: "Recordings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RecordingTracks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    File = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    OffsetMs = table.Column<double>(type: "REAL", nullable: false),
                    ResidualMs = table.Column<double>(type: "REAL", nullable: false),
                    StartSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Frames = table.Column<long>(type: "INTEGER", nullable: false),
                    Channels = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordingTracks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RecordingTracks_Recordings_RecordingId",
                        column: x => x.RecordingId,
                        principalTable: "Recordings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RecordingComments_ParentId",
                table: "RecordingComments",
                column: "ParentId");

            migrationBuilder.CreateIndex(
                name: "IX_RecordingComments_RecordingId_AtSeconds",
                table: "RecordingComments",
                columns: new[] { "RecordingId", "AtSeconds" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordingEvents_RecordingId_AtSeconds",
                table: "RecordingEvents",
                columns: new[] { "RecordingId", "AtSeconds" });

            migrationBuilder.CreateIndex(
                name: "IX_Recordings_Folder",
                table: "Recordings",
                column: "Folder",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Recordings_OwnerId",
                table: "Recordings",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_Recordings_Status",
                table: "Recordings",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_RecordingTracks_RecordingId",
                table: "RecordingTracks",
                column: "RecordingId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RecordingComments");

            migrationBuilder.DropTable(
                name: "RecordingEvents");

            migrationBuilder.DropTable(
                name: "RecordingPolicies");

            migrationBuilder.DropTable(
                name: "RecordingTracks");

            migrationBuilder.DropTable(
                name: "Recordings");
        }
    }
}
