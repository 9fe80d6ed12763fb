using System.Text.Json.Serialization;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Scores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Recordings;

[JsonConverter(typeof(JsonStringEnumConverter<RecordingStatus>))]
public enum RecordingStatus
{
    /// The recorder is writing (or the node died while it was: start-up repair turns it into Recovered).
    [JsonStringEnumMemberName("recording")]
    Recording,
    [JsonStringEnumMemberName("finished")]
    Finished,
    /// Left open by a crash; its files were repaired on start-up.
    [JsonStringEnumMemberName("recovered")]
    Recovered,
}

/// A take of a live room: one WAV per consenting participant, the mix of those participants, and the timeline.
/// The files live in their own folder (<see cref="Folder"/>) inside the recording folder.
public sealed class Recording
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid RoomId { get; set; }

    /// The course, ensemble or workshop whose room was recorded: its members may listen.
    public Guid OwnerId { get; set; }

    public OwnerKind OwnerKind { get; set; }

    public required string Title { get; set; }

    public required string StartedById { get; set; }

    public DateTime StartedUtc { get; set; }

    public DateTime? EndedUtc { get; set; }

    public RecordingStatus Status { get; set; }

    /// Folder name inside the recording folder (a random name; never a path).
    public required string Folder { get; set; }

    /// The mix file's name in <see cref="Folder"/>.
    public string MixFile { get; set; } = "mix.wav";

    /// Server time of the recording's first frame, ms since the Unix epoch: time 0 of the timeline.
    public double StartEpochMs { get; set; }

    /// Length of the mix, seconds.
    public double DurationSeconds { get; set; }

    /// Blocks the writer could not keep up with (target: none).
    public long DroppedBlocks { get; set; }

    /// The score the room showed when recording started: bar comments also become notes on it.
    public Guid? ScoreId { get; set; }

    public List<RecordingTrack> Tracks { get; set; } = [];
}

/// One participant's aligned track.
public sealed class RecordingTrack
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid RecordingId { get; set; }

    public required string PersonId { get; set; }

    public required string DisplayName { get; set; }

    /// File name in the recording's folder.
    public required string File { get; set; }

    /// Audio dropped from the start of the track so it lines up with performance time: the participant's measured
    /// upstream delay (one-way network delay plus jitter buffer plus one period), ms.
    public double OffsetMs { get; set; }

    /// How far off the alignment may be, ms: the larger of the delay's jitter and how much the estimate moved during the take.
    public double ResidualMs { get; set; }

    /// Timeline position of the track's first frame, seconds from the recording's start.
    public double StartSeconds { get; set; }

    public long Frames { get; set; }

    public int Channels { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<RecordingEventKind>))]
public enum RecordingEventKind
{
    Joined,
    Left,
    /// A stretch of the beat timeline starts: tempo and metre from its bar on.
    Tempo,
    /// The beat clock stopped.
    BeatStopped,
    /// The room showed a score (or none).
    Score,
    Marker,
}

/// Something that happened during the take, at <see cref="AtSeconds"/> from its start.
public sealed class RecordingEvent
{
    public long Id { get; set; }

    public Guid RecordingId { get; set; }

    public double AtSeconds { get; set; }

    public RecordingEventKind Kind { get; set; }

    /// Bar at this time (tempo: the segment's first bar).
    public int? Bar { get; set; }

    public double? Bpm { get; set; }

    public int? BeatsPerBar { get; set; }

    public int? BeatUnit { get; set; }

    /// A marker's name, a score's title or a participant's display name.
    public string Text { get; set; } = "";
}

/// A comment pinned to a time and bar of a recording, optionally to one track. Teachers start threads, everyone replies.
public sealed class RecordingComment
{
    public const int MaxTextLength = 1000;

    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid RecordingId { get; set; }

    /// The comment this one answers; null for a thread's first comment.
    public Guid? ParentId { get; set; }

    public double AtSeconds { get; set; }

    public int? Bar { get; set; }

    public Guid? TrackId { get; set; }

    public required string AuthorId { get; set; }

    public required string AuthorName { get; set; }

    public required string Text { get; set; }

    public DateTime CreatedUtc { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<RecordingVideoStatus>))]
public enum RecordingVideoStatus
{
    /// Janus' recording is being converted (off the request path, after the take was stored).
    [JsonStringEnumMemberName("converting")]
    Converting,
    [JsonStringEnumMemberName("ready")]
    Ready,
    /// The picture could not be saved (conversion failed); the take's sound is not affected.
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// A camera or shared screen recorded with a take: Janus' recording of one picture, converted to a file beside the
/// take's WAVs. Only people the take records (recording consent, and video consent for a camera) have one.
public sealed class RecordingVideo
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid RecordingId { get; set; }

    public required string PersonId { get; set; }

    public required string DisplayName { get; set; }

    /// "camera" or "screen".
    public required string Kind { get; set; }

    /// The converted file's name in the take's folder (a readable name: person, kind, number).
    public required string File { get; set; }

    /// The name Janus' recording began with (<c>video.jsonl</c>): a picture is converted once.
    public required string Source { get; set; }

    /// Timeline position of the video's first frame, seconds from the take's start (negative: before the sound began).
    public double StartSeconds { get; set; }

    public RecordingVideoStatus Status { get; set; }
}

/// How long an owner's recordings are kept. No row: the configured default (<see cref="RecordingOptions"/>, out of the
/// box <see cref="DefaultRetentionDays"/>).
public sealed class RecordingPolicy
{
    public const int DefaultRetentionDays = 180;

    public Guid OwnerId { get; set; }

    public int RetentionDays { get; set; } = DefaultRetentionDays;
}

internal sealed class RecordingConfiguration : IEntityTypeConfiguration<Recording>
{
    public void Configure(EntityTypeBuilder<Recording> builder)
    {
        builder.Property(r => r.Title).HasMaxLength(200);
        builder.Property(r => r.StartedById).HasMaxLength(450);
        builder.Property(r => r.Folder).HasMaxLength(64);
        builder.Property(r => r.MixFile).HasMaxLength(100);
        builder.Property(r => r.OwnerKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(r => r.OwnerId);
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => r.Folder).IsUnique();
        builder.HasMany(r => r.Tracks).WithOne().HasForeignKey(t => t.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany<RecordingEvent>().WithOne().HasForeignKey(e => e.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany<RecordingComment>().WithOne().HasForeignKey(c => c.RecordingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany<RecordingVideo>().WithOne().HasForeignKey(v => v.RecordingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecordingVideoConfiguration : IEntityTypeConfiguration<RecordingVideo>
{
    public void Configure(EntityTypeBuilder<RecordingVideo> builder)
    {
        builder.Property(v => v.PersonId).HasMaxLength(450);
        builder.Property(v => v.DisplayName).HasMaxLength(100);
        builder.Property(v => v.Kind).HasMaxLength(10);
        builder.Property(v => v.File).HasMaxLength(100);
        builder.Property(v => v.Source).HasMaxLength(100);
        builder.Property(v => v.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(v => new { v.RecordingId, v.Source }).IsUnique();
    }
}

internal sealed class RecordingTrackConfiguration : IEntityTypeConfiguration<RecordingTrack>
{
    public void Configure(EntityTypeBuilder<RecordingTrack> builder)
    {
        builder.Property(t => t.PersonId).HasMaxLength(450);
        builder.Property(t => t.DisplayName).HasMaxLength(100);
        builder.Property(t => t.File).HasMaxLength(100);
    }
}

internal sealed class RecordingEventConfiguration : IEntityTypeConfiguration<RecordingEvent>
{
    public void Configure(EntityTypeBuilder<RecordingEvent> builder)
    {
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Text).HasMaxLength(200);
        builder.HasIndex(e => new { e.RecordingId, e.AtSeconds });
    }
}

internal sealed class RecordingCommentConfiguration : IEntityTypeConfiguration<RecordingComment>
{
    public void Configure(EntityTypeBuilder<RecordingComment> builder)
    {
        builder.Property(c => c.AuthorId).HasMaxLength(450);
        builder.Property(c => c.AuthorName).HasMaxLength(100);
        builder.Property(c => c.Text).HasMaxLength(RecordingComment.MaxTextLength);
        builder.HasIndex(c => new { c.RecordingId, c.AtSeconds });
        builder.HasOne<RecordingComment>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecordingPolicyConfiguration : IEntityTypeConfiguration<RecordingPolicy>
{
    public void Configure(EntityTypeBuilder<RecordingPolicy> builder)
    {
        builder.HasKey(p => p.OwnerId);
    }
}
