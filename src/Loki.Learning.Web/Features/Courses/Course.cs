using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Courses;

/// A distance course run by one or more lecturers.
public sealed class Course
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Title { get; set; }

    public string Description { get; set; } = "";

    public int? InstitutionId { get; set; }

    /// Maximum number of enrolled students.
    public int Capacity { get; set; } = 30;

    /// Students who know this key may enrol themselves; null turns self-enrolment off.
    public string? EnrolmentKey { get; set; }

    /// When true, anyone with the link may subscribe to the course's session calendar.
    public bool PublicCalendar { get; set; }

    /// IANA zone the course is scheduled in (Europe/Stockholm or Europe/Oslo).
    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;

    public List<CourseTeacher> Teachers { get; set; } = [];

    public List<CourseEnrolment> Enrolments { get; set; } = [];

    public List<CourseMaterial> Materials { get; set; } = [];
}

public sealed class CourseTeacher
{
    public Guid CourseId { get; set; }

    public required string PersonId { get; set; }

    public Person? Person { get; set; }
}

public sealed class CourseEnrolment
{
    public Guid CourseId { get; set; }

    public required string PersonId { get; set; }

    public Person? Person { get; set; }

    public DateTime EnrolledUtc { get; set; } = DateTime.UtcNow;
}

/// Reading, listening or a score to prepare: a title with notes, a link (<see cref="Url"/>) or an uploaded file
/// (<see cref="StoredFileName"/>), which the materials feature checks, stores and serves to the course's members.
public sealed class CourseMaterial
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid CourseId { get; set; }

    public required string Title { get; set; }

    public string Notes { get; set; } = "";

    /// An http or https address to read or listen to elsewhere, or null.
    public string? Url { get; set; }

    /// The uploaded file's name as the lecturer gave it: shown, never used as a path. Null when there is no file.
    public string? FileName { get; set; }

    /// Random name inside the material folder, or null.
    public string? StoredFileName { get; set; }

    /// What the file's content was checked to be (never what the upload claimed).
    public string? ContentType { get; set; }

    /// Bytes of the file; 0 without one.
    public long Size { get; set; }

    public DateTime AddedUtc { get; set; } = DateTime.UtcNow;
}

internal sealed class CourseConfiguration : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> builder)
    {
        builder.Property(c => c.Title).HasMaxLength(200);
        builder.Property(c => c.Description).HasMaxLength(4000);
        builder.Property(c => c.EnrolmentKey).HasMaxLength(64);
        builder.Property(c => c.TimeZoneId).HasMaxLength(64);
        builder.HasMany(c => c.Teachers).WithOne().HasForeignKey(t => t.CourseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Enrolments).WithOne().HasForeignKey(e => e.CourseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Materials).WithOne().HasForeignKey(m => m.CourseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CourseTeacherConfiguration : IEntityTypeConfiguration<CourseTeacher>
{
    public void Configure(EntityTypeBuilder<CourseTeacher> builder)
    {
        builder.HasKey(t => new { t.CourseId, t.PersonId });
        builder.HasOne(t => t.Person).WithMany().HasForeignKey(t => t.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CourseEnrolmentConfiguration : IEntityTypeConfiguration<CourseEnrolment>
{
    public void Configure(EntityTypeBuilder<CourseEnrolment> builder)
    {
        // The key itself refuses a duplicate enrolment, even under concurrent requests.
        builder.HasKey(e => new { e.CourseId, e.PersonId });
        builder.HasOne(e => e.Person).WithMany().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CourseMaterialConfiguration : IEntityTypeConfiguration<CourseMaterial>
{
    public void Configure(EntityTypeBuilder<CourseMaterial> builder)
    {
        builder.Property(m => m.Title).HasMaxLength(200);
        builder.Property(m => m.Notes).HasMaxLength(4000);
        builder.Property(m => m.Url).HasMaxLength(2000);
        builder.Property(m => m.FileName).HasMaxLength(260);
        builder.Property(m => m.StoredFileName).HasMaxLength(100);
        builder.Property(m => m.ContentType).HasMaxLength(100);
        builder.HasIndex(m => m.StoredFileName).IsUnique();
    }
}
