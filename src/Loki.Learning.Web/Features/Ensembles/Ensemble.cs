using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Ensembles;

/// A kulturskola ensemble: teachers and pupils from several towns rehearsing together.
public sealed class Ensemble
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public bool PublicCalendar { get; set; }

    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;

    public List<EnsembleMember> Members { get; set; } = [];
}

public enum EnsembleRole
{
    Teacher,
    Pupil,
}

public sealed class EnsembleMember
{
    public Guid EnsembleId { get; set; }

    public required string PersonId { get; set; }

    public Person? Person { get; set; }

    public EnsembleRole Role { get; set; }

    /// The school the member plays from; several per ensemble.
    public int? InstitutionId { get; set; }

    public string? Instrument { get; set; }
}

/// A short code a teacher hands out in class; pupils use it to ask to join.
public sealed class ClassCode
{
    public required string Code { get; set; }

    public Guid EnsembleId { get; set; }

    public int? InstitutionId { get; set; }

    public required string IssuedById { get; set; }

    public DateTime IssuedUtc { get; set; } = DateTime.UtcNow;

    public DateTime ExpiresUtc { get; set; }

    public bool Revoked { get; set; }
}

public enum JoinRequestStatus
{
    Pending,
    Approved,
    Rejected,
}

/// A pupil's request to join, made with a class code, waiting for a teacher.
public sealed class JoinRequest
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid EnsembleId { get; set; }

    public required string Code { get; set; }

    public required string DisplayName { get; set; }

    public int? InstitutionId { get; set; }

    public string? Instrument { get; set; }

    public bool GuardianConsentForRecording { get; set; }

    public JoinRequestStatus Status { get; set; }

    public DateTime RequestedUtc { get; set; } = DateTime.UtcNow;

    public string? DecidedById { get; set; }

    public DateTime? DecidedUtc { get; set; }

    /// The account created on approval.
    public string? PersonId { get; set; }
}

internal sealed class EnsembleConfiguration : IEntityTypeConfiguration<Ensemble>
{
    public void Configure(EntityTypeBuilder<Ensemble> builder)
    {
        builder.Property(e => e.Name).HasMaxLength(200);
        builder.Property(e => e.Description).HasMaxLength(4000);
        builder.Property(e => e.TimeZoneId).HasMaxLength(64);
        builder.HasMany(e => e.Members).WithOne().HasForeignKey(m => m.EnsembleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EnsembleMemberConfiguration : IEntityTypeConfiguration<EnsembleMember>
{
    public void Configure(EntityTypeBuilder<EnsembleMember> builder)
    {
        builder.HasKey(m => new { m.EnsembleId, m.PersonId });
        builder.HasOne(m => m.Person).WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Instrument).HasMaxLength(100);
    }
}

internal sealed class ClassCodeConfiguration : IEntityTypeConfiguration<ClassCode>
{
    public void Configure(EntityTypeBuilder<ClassCode> builder)
    {
        builder.HasKey(c => c.Code);
        builder.Property(c => c.Code).HasMaxLength(16);
        builder.HasIndex(c => c.EnsembleId);
    }
}

internal sealed class JoinRequestConfiguration : IEntityTypeConfiguration<JoinRequest>
{
    public void Configure(EntityTypeBuilder<JoinRequest> builder)
    {
        builder.Property(r => r.Code).HasMaxLength(16);
        builder.Property(r => r.DisplayName).HasMaxLength(60);
        builder.Property(r => r.Instrument).HasMaxLength(100);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(r => new { r.EnsembleId, r.Status });
    }
}
