using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loki.Learning.Web.Tests.Data;

/// The OneMeeting migration moves class sessions, rehearsals and workshop sittings into meetings without loss. The
/// fixture is a database made by the code before the change (commit 8107693): it ran once on a fresh file (migrated,
/// demo data seeded), a class session and a rehearsal were scheduled and a two-evening event created through its API,
/// and two recordings of a class session's and a rehearsal's room were added.
public sealed class OneMeetingUpgradeTests : IAsyncLifetime
{
    private const string BeforeOneMeeting = "20261206225236_VideoConsent";
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-upgrade-").FullName;
    private ServiceProvider _services = default!;

    private sealed record OldMeeting(Guid Id, OwnerKind Kind, Guid OwnerId, string Title, DateTime StartsUtc, DateTime EndsUtc, Guid RoomId, string MemberId);

    public Task InitializeAsync()
    {
        var file = Path.Combine(_folder, "loki.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "before-one-meeting.db"), file);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddLokiDatabase(file);
        services.AddSingleton(TimeProvider.System);
        services.AddLokiRecordingNode(Path.Combine(_folder, "recordings"));
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private IDbContextFactory<LokiDbContext> Db => _services.GetRequiredService<IDbContextFactory<LokiDbContext>>();

    /// The rows as the old schema holds them, each with a person who belongs to its owner.
    private async Task<List<OldMeeting>> OldMeetingsAsync()
    {
        await using var db = await Db.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var meetings = new List<OldMeeting>();
        async Task ReadAsync(OwnerKind kind, string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                meetings.Add(new OldMeeting(reader.GetGuid(0), kind, reader.GetGuid(1), reader.GetString(2), reader.GetDateTime(3), reader.GetDateTime(4), reader.GetGuid(5), reader.GetString(6)));
            }
        }
        await ReadAsync(OwnerKind.Course, """
            SELECT s.Id, s.CourseId, s.Title, s.StartsUtc, s.EndsUtc, s.RoomId, (SELECT t.PersonId FROM CourseTeachers t WHERE t.CourseId = s.CourseId LIMIT 1)
            FROM ClassSessions s
            """);
        await ReadAsync(OwnerKind.Ensemble, """
            SELECT r.Id, r.EnsembleId, r.Title, r.StartsUtc, r.EndsUtc, r.RoomId, (SELECT m.PersonId FROM EnsembleMembers m WHERE m.EnsembleId = r.EnsembleId LIMIT 1)
            FROM Rehearsals r
            """);
        await ReadAsync(OwnerKind.Workshop, """
            SELECT s.Id, s.WorkshopId, s.Title, s.StartsUtc, s.EndsUtc, w.RoomId, w.OrganizerId
            FROM WorkshopSessions s JOIN Workshops w ON w.Id = s.WorkshopId
            """);
        return meetings;
    }

    [Fact]
    public async Task EveryClassSessionRehearsalAndWorkshopSittingOfAnOldDatabaseBecomesAMeetingWithItsIdRoomAndTimes()
    {
        var old = await OldMeetingsAsync();
        Assert.Contains(old, m => m.Kind == OwnerKind.Course && m.Title == "Extra seminar before the upgrade");
        Assert.Contains(old, m => m.Kind == OwnerKind.Ensemble && m.Title == "Extra rehearsal before the upgrade");
        Assert.Equal(2, old.Count(m => m.Title is "First evening" or "Second evening"));

        await using (var db = await Db.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        await using var after = await Db.CreateDbContextAsync();
        var meetings = await after.Meetings.ToDictionaryAsync(m => m.Id);
        Assert.Equal(old.Count, meetings.Count);
        foreach (var was in old)
        {
            var meeting = meetings[was.Id];
            Assert.Equal((was.Kind, was.OwnerId, was.Title, was.StartsUtc, was.EndsUtc, was.RoomId),
                (meeting.OwnerKind, meeting.OwnerId, meeting.Title, meeting.StartsUtc, meeting.EndsUtc, meeting.RoomId));
        }
        var oslo = meetings.Values.Where(m => m.Title is "First evening" or "Second evening").ToList();
        Assert.All(oslo, m => Assert.Equal(("Europe/Oslo", "Gamla Tingshuset"), (m.TimeZoneId, m.Place)));
        Assert.Single(oslo.Select(m => m.RoomId).Distinct());
    }

    [Fact]
    public async Task AfterTheUpgradeRoomsRecordingsAndCalendarsFindTheOldMeetingsUnderTheSameIds()
    {
        var old = await OldMeetingsAsync();
        await using (var db = await Db.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }
        var owners = _services.GetRequiredService<MeetingOwners>();
        await using var after = await Db.CreateDbContextAsync();

        foreach (var was in old)
        {
            // The room (the grain key) still belongs to the same owner, and a member still enters it.
            var room = await after.FindRoomAsync(owners, was.RoomId, CancellationToken.None);
            Assert.NotNull(room);
            Assert.Equal((was.Kind, was.OwnerId), (room.Kind, room.OwnerId));
            var member = new Actor(was.MemberId, new HashSet<string>());
            Assert.NotNull((await after.RoleInRoomAsync(owners, room, member, CancellationToken.None)).Role);

            // The calendar entry keeps its UID (the meeting's id) and its room.
            var schedule = await new GetMyScheduleHandler(Db, owners).Handle(new GetMySchedule(was.MemberId, DateTime.MinValue), CancellationToken.None);
            Assert.Contains(schedule, item => item.Id == was.Id && item.RoomId == was.RoomId && item.Kind == was.Kind);
            Assert.Contains($"UID:{was.Id:N}@loki.learning", CalendarFeed.Render("feed", schedule, new Uri("http://127.0.0.1/")), StringComparison.Ordinal);
        }

        var recordings = await after.Recordings.ToListAsync();
        Assert.Equal(2, recordings.Count);
        var admin = new Actor(await after.Users.Where(u => u.Email == "admin@demo.loki.local").Select(u => u.Id).SingleAsync(), new HashSet<string> { Roles.Admin });
        foreach (var recording in recordings)
        {
            var room = await after.FindRoomAsync(owners, recording.RoomId, CancellationToken.None);
            Assert.Equal((recording.OwnerKind, recording.OwnerId), (room!.Kind, room.OwnerId));
            var shelf = await new ListRecordingsHandler(Db, owners, Microsoft.Extensions.Options.Options.Create(new RecordingOptions())).Handle(new ListRecordings(admin, recording.OwnerId), CancellationToken.None);
            Assert.Contains(shelf.Recordings, r => r.Id == recording.Id);
        }
    }

    [Fact]
    public async Task MigratingBackDownPutsEveryMeetingBackInItsOldTable()
    {
        var old = await OldMeetingsAsync();
        await using (var db = await Db.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            await db.GetService<IMigrator>().MigrateAsync(BeforeOneMeeting);
        }

        Assert.Equal(old.OrderBy(m => m.Id), (await OldMeetingsAsync()).OrderBy(m => m.Id));
    }
}

/// The same migration on PostgreSQL, up from the model before it with rows in the old tables, down and up again.
public sealed class OneMeetingPostgresUpgradeTests : IAsyncLifetime
{
    private readonly PostgresServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task OldRowsBecomeMeetingsOnPostgresAndGoBackOnTheWayDown()
    {
        var connectionString = await _server.CreateDatabaseAsync("upgrade");
        var options = new DbContextOptionsBuilder<PostgresLokiDbContext>().UseNpgsql(connectionString).Options;
        await using var db = new PostgresLokiDbContext(options);
        var migrations = db.Database.GetMigrations().ToList();
        var oneMeeting = migrations.Single(m => m.EndsWith("_OneMeeting", StringComparison.Ordinal));
        var before = migrations[migrations.IndexOf(oneMeeting) - 1];
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(before);

        var (courseId, ensembleId, workshopId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var (sessionId, rehearsalId, sittingId, sessionRoom, rehearsalRoom, workshopRoom) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var starts = new DateTime(2027, 1, 12, 9, 0, 0, DateTimeKind.Utc);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Courses" ("Id", "Title", "Description", "Capacity", "PublicCalendar", "TimeZoneId", "CreatedUtc") VALUES ({courseId}, 'Course', '', 30, TRUE, 'Europe/Oslo', {starts})
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Ensembles" ("Id", "Name", "Description", "PublicCalendar", "TimeZoneId", "CreatedUtc") VALUES ({ensembleId}, 'Ensemble', '', FALSE, 'Europe/Stockholm', {starts})
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Workshops" ("Id", "Title", "Description", "OrganizerId", "StartsUtc", "EndsUtc", "TimeZoneId", "Capacity", "RoomId", "Published", "Language", "Venue", "Online",
                "PerformerPlaces", "ParticipantPlaces", "AudiencePlaces", "RegistrationOpensUtc", "RegistrationClosesUtc")
            VALUES ({workshopId}, 'Workshop', '', 'someone', {starts}, {starts.AddHours(2)}, 'Europe/Oslo', 10, {workshopRoom}, TRUE, 'nb', 'Hall', FALSE, 0, 0, 10, {starts}, {starts})
            """);
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "ClassSessions" ("Id", "CourseId", "Title", "StartsUtc", "EndsUtc", "RoomId") VALUES ({sessionId}, {courseId}, 'Seminar', {starts}, {starts.AddHours(1)}, {sessionRoom})""");
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "Rehearsals" ("Id", "EnsembleId", "Title", "StartsUtc", "EndsUtc", "RoomId") VALUES ({rehearsalId}, {ensembleId}, 'Tutti', {starts}, {starts.AddHours(1)}, {rehearsalRoom})""");
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "WorkshopSessions" ("Id", "WorkshopId", "Title", "StartsUtc", "EndsUtc") VALUES ({sittingId}, {workshopId}, 'Evening', {starts}, {starts.AddHours(2)})""");

        await migrator.MigrateAsync(oneMeeting);

        var meetings = await db.Meetings.AsNoTracking().OrderBy(m => m.OwnerKind).ToListAsync();
        Assert.Equal(
            [(sessionId, OwnerKind.Course, courseId, sessionRoom, "Europe/Oslo", (string?)null, true),
             (rehearsalId, OwnerKind.Ensemble, ensembleId, rehearsalRoom, "Europe/Stockholm", null, true),
             (sittingId, OwnerKind.Workshop, workshopId, workshopRoom, "Europe/Oslo", "Hall", false)],
            meetings.Select(m => (m.Id, m.OwnerKind, m.OwnerId, m.RoomId, m.TimeZoneId, m.Place, m.Online)));
        Assert.All(meetings, m => Assert.Equal(starts, m.StartsUtc));

        await migrator.MigrateAsync(before);
        var back = await db.Database.SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "ClassSessions" UNION ALL SELECT "Id" FROM "Rehearsals" UNION ALL SELECT "Id" FROM "WorkshopSessions" """).ToListAsync();
        Assert.Equal(new[] { sessionId, rehearsalId, sittingId }.Order(), back.Order());
        await migrator.MigrateAsync();
        Assert.Equal(3, await db.Meetings.CountAsync());
    }
}
