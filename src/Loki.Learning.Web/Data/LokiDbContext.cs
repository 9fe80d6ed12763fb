using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Loki.Learning.Web.Data;

/// Durable facts: people, sites, courses, ensembles, schedules. Live state lives in grains.
/// The model is the same on every provider; each provider has its own migrations, bound to its own context type:
/// this one for SQLite (Data/Migrations), <see cref="PostgresLokiDbContext"/> for PostgreSQL (Data/PostgresMigrations).
public class LokiDbContext : IdentityDbContext<Person, IdentityRole, string>, IDataProtectionKeyContext
{
    public LokiDbContext(DbContextOptions<LokiDbContext> options)
        : base(options)
    {
    }

    protected LokiDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Institution> Institutions => Set<Institution>();

    public DbSet<Course> Courses => Set<Course>();

    public DbSet<CourseTeacher> CourseTeachers => Set<CourseTeacher>();

    public DbSet<CourseEnrolment> CourseEnrolments => Set<CourseEnrolment>();


    public DbSet<CourseMaterial> CourseMaterials => Set<CourseMaterial>();

    public DbSet<Ensemble> Ensembles => Set<Ensemble>();

    public DbSet<EnsembleMember> EnsembleMembers => Set<EnsembleMember>();


    public DbSet<ClassCode> ClassCodes => Set<ClassCode>();

    public DbSet<JoinRequest> JoinRequests => Set<JoinRequest>();

    public DbSet<Workshop> Workshops => Set<Workshop>();

    public DbSet<Meeting> Meetings => Set<Meeting>();

    public DbSet<Registration> Registrations => Set<Registration>();

    public DbSet<Notice> Notices => Set<Notice>();

    public DbSet<Score> Scores => Set<Score>();

    public DbSet<ScoreAnnotation> ScoreAnnotations => Set<ScoreAnnotation>();

    public DbSet<Recording> Recordings => Set<Recording>();

    public DbSet<RecordingTrack> RecordingTracks => Set<RecordingTrack>();

    public DbSet<RecordingEvent> RecordingEvents => Set<RecordingEvent>();

    public DbSet<RecordingComment> RecordingComments => Set<RecordingComment>();

    public DbSet<RecordingVideo> RecordingVideos => Set<RecordingVideo>();

    public DbSet<RecordingPolicy> RecordingPolicies => Set<RecordingPolicy>();

    /// The keys that sign cookies and audio tokens, shared by every node on the same database.
    public DbSet<Features.Rooms.RoomVisit> RoomVisits => Set<Features.Rooms.RoomVisit>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(LokiDbContext).Assembly);

        builder.Entity<Person>(person =>
        {
            person.Property(p => p.DisplayName).HasMaxLength(100);
            person.Property(p => p.CalendarToken).HasMaxLength(64);
            person.HasIndex(p => p.CalendarToken).IsUnique();
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored as UTC; SQLite keeps no kind, so it is restored on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        toDb => toDb.Kind == DateTimeKind.Utc ? toDb : toDb.ToUniversalTime(),
        fromDb => DateTime.SpecifyKind(fromDb, DateTimeKind.Utc));
}
