namespace Loki.Learning.Web.Data;

/// The data moves of the OneMeeting migration (SQLite and PostgreSQL share them: quoted names, standard SQL).
/// Class sessions, rehearsals and workshop sittings become meetings with the same ids and room ids, so room grains,
/// recordings, calendar UIDs and links keep working. Frozen with the migration: never edit for a later model.
internal static class OneMeetingMigration
{
    private const string Columns = """("Id", "OwnerKind", "OwnerId", "Title", "StartsUtc", "EndsUtc", "TimeZoneId", "Place", "Online", "RoomId")""";

    public static readonly string[] Up =
    [
        $"""
        INSERT INTO "Meetings" {Columns}
        SELECT s."Id", 'Course', s."CourseId", s."Title", s."StartsUtc", s."EndsUtc", c."TimeZoneId", NULL, TRUE, s."RoomId"
        FROM "ClassSessions" s JOIN "Courses" c ON c."Id" = s."CourseId";
        """,
        $"""
        INSERT INTO "Meetings" {Columns}
        SELECT r."Id", 'Ensemble', r."EnsembleId", r."Title", r."StartsUtc", r."EndsUtc", e."TimeZoneId", NULL, TRUE, r."RoomId"
        FROM "Rehearsals" r JOIN "Ensembles" e ON e."Id" = r."EnsembleId";
        """,
        // A workshop's sittings share its room.
        $"""
        INSERT INTO "Meetings" {Columns}
        SELECT s."Id", 'Workshop', s."WorkshopId", s."Title", s."StartsUtc", s."EndsUtc", w."TimeZoneId", w."Venue", w."Online", w."RoomId"
        FROM "WorkshopSessions" s JOIN "Workshops" w ON w."Id" = s."WorkshopId";
        """,
        // A workshop without sittings was shown (page, calendar file) as one sitting with the workshop's own id: it
        // becomes that meeting, so its room stays findable and its calendar UID stays the same.
        $"""
        INSERT INTO "Meetings" {Columns}
        SELECT w."Id", 'Workshop', w."Id", w."Title", w."StartsUtc", w."EndsUtc", w."TimeZoneId", w."Venue", w."Online", w."RoomId"
        FROM "Workshops" w WHERE NOT EXISTS (SELECT 1 FROM "WorkshopSessions" s WHERE s."WorkshopId" = w."Id");
        """,
    ];

    public static readonly string[] Down =
    [
        """
        INSERT INTO "ClassSessions" ("Id", "CourseId", "Title", "StartsUtc", "EndsUtc", "RoomId")
        SELECT "Id", "OwnerId", "Title", "StartsUtc", "EndsUtc", "RoomId" FROM "Meetings" WHERE "OwnerKind" = 'Course';
        """,
        """
        INSERT INTO "Rehearsals" ("Id", "EnsembleId", "Title", "StartsUtc", "EndsUtc", "RoomId")
        SELECT "Id", "OwnerId", "Title", "StartsUtc", "EndsUtc", "RoomId" FROM "Meetings" WHERE "OwnerKind" = 'Ensemble';
        """,
        """
        INSERT INTO "WorkshopSessions" ("Id", "WorkshopId", "Title", "StartsUtc", "EndsUtc")
        SELECT "Id", "OwnerId", "Title", "StartsUtc", "EndsUtc" FROM "Meetings" WHERE "OwnerKind" = 'Workshop';
        """,
    ];
}
