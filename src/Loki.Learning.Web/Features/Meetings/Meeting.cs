using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Meetings;

/// A scheduled meeting of a course (a class session), an ensemble (a rehearsal) or a workshop (one of its sittings),
/// and the live room it is held in. Its id is the calendar entry's UID and its room id the room's grain key, so
/// neither ever changes. A course's or ensemble's meeting has a room of its own; a workshop's sittings share the
/// workshop's room.
public sealed class Meeting
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public OwnerKind OwnerKind { get; set; }

    /// The course, ensemble or workshop (no foreign key: the owner is in one of three tables).
    public Guid OwnerId { get; set; }

    public required string Title { get; set; }

    public DateTime StartsUtc { get; set; }

    public DateTime EndsUtc { get; set; }

    /// The IANA zone the meeting was planned in (the owner's when it was scheduled); times are shown in it.
    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    /// Where it happens besides the live room, when anywhere (free text, e.g. a workshop's venue).
    public string? Place { get; set; }

    /// Whether people take part through the live room.
    public bool Online { get; set; } = true;

    public Guid RoomId { get; set; } = Guid.NewGuid();
}

internal sealed class MeetingConfiguration : IEntityTypeConfiguration<Meeting>
{
    public void Configure(EntityTypeBuilder<Meeting> builder)
    {
        builder.Property(m => m.OwnerKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Title).HasMaxLength(200);
        builder.Property(m => m.TimeZoneId).HasMaxLength(64);
        builder.Property(m => m.Place).HasMaxLength(200);
        builder.HasIndex(m => new { m.OwnerId, m.StartsUtc });
        builder.HasIndex(m => m.StartsUtc);
        // Not unique: a workshop's sittings share its room.
        builder.HasIndex(m => m.RoomId);
    }
}
