using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// <param name="Url">Served only to members of the recording's owner.</param>
public sealed record RecordedFile(string File, string Url, double StartSeconds, long Frames, int Channels);

/// <param name="OffsetMs">Audio dropped from the start so the track lines up with the beat (the participant's upstream delay).</param>
/// <param name="ResidualMs">How far off the alignment may still be.</param>
public sealed record TrackSummary(Guid Id, string DisplayName, string File, string Url, double OffsetMs, double ResidualMs, double StartSeconds, long Frames, int Channels);

/// A camera or shared screen recorded with the take. <paramref name="Url"/> is null until it is <see cref="RecordingVideoStatus.Ready"/>.
/// <param name="StartSeconds">Where its first frame sits on the take's timeline.</param>
public sealed record VideoSummary(Guid Id, string DisplayName, string Kind, string File, string? Url, double StartSeconds, RecordingVideoStatus Status);

public sealed record TimelineEntry(RecordingEventKind Kind, double AtSeconds, int? Bar, double? Bpm, int? BeatsPerBar, int? BeatUnit, string Text);

public sealed record CommentSummary(Guid Id, Guid? ParentId, double AtSeconds, int? Bar, Guid? TrackId, string AuthorName, string Text, DateTime CreatedUtc);

/// A take as its members see it, its times in the zone of the meeting it was recorded in (<paramref name="TimeZoneId"/>).
/// <param name="CanLead">The actor may start threads (teachers); everyone may reply.</param>
public sealed record RecordingDetails(
    Guid Id,
    string Title,
    Guid RoomId,
    Guid OwnerId,
    RecordingStatus Status,
    DateTime StartedUtc,
    DateTime? EndedUtc,
    double DurationSeconds,
    long DroppedBlocks,
    RecordedFile Mix,
    IReadOnlyList<TrackSummary> Tracks,
    IReadOnlyList<VideoSummary> Videos,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<BarLine> Bars,
    IReadOnlyList<CommentSummary> Comments,
    bool CanLead,
    string ExportUrl,
    string TimeZoneId);

public sealed record GetRecording(Actor Actor, Guid RecordingId) : IQuery<RecordingDetails>;

public sealed class GetRecordingHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<GetRecording, RecordingDetails>
{
    public async ValueTask<RecordingDetails> Handle(GetRecording query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (recording, role) = await db.RecordingForAsync(owners, query.RecordingId, query.Actor, cancellationToken);
        var tracks = await db.RecordingTracks.Where(t => t.RecordingId == recording.Id).OrderBy(t => t.DisplayName).ThenBy(t => t.StartSeconds).ToListAsync(cancellationToken);
        var events = await db.RecordingEvents.Where(e => e.RecordingId == recording.Id).OrderBy(e => e.AtSeconds).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var videos = await db.RecordingVideos.Where(v => v.RecordingId == recording.Id).ToListAsync(cancellationToken);
        var comments = await db.RecordingComments.Where(c => c.RecordingId == recording.Id).ToListAsync(cancellationToken);
        var duration = recording.DurationSeconds;
        var zoneOf = await db.ZonesAsync(owners, recording.OwnerId, cancellationToken);
        return new RecordingDetails(
            recording.Id,
            recording.Title,
            recording.RoomId,
            recording.OwnerId,
            recording.Status,
            recording.StartedUtc,
            recording.EndedUtc,
            duration,
            recording.DroppedBlocks,
            new RecordedFile(recording.MixFile, FileUrl(recording.Id, recording.MixFile), 0, (long)Math.Round(duration * RoomRecorders.SampleRate), 2),
            tracks.Select(t => new TrackSummary(t.Id, t.DisplayName, t.File, FileUrl(recording.Id, t.File), t.OffsetMs, t.ResidualMs, t.StartSeconds, t.Frames, t.Channels)).ToList(),
            videos.OrderBy(v => v.DisplayName).ThenBy(v => v.Kind).ThenBy(v => v.StartSeconds)
                .Select(v => new VideoSummary(v.Id, v.DisplayName, v.Kind, v.File, v.Status == RecordingVideoStatus.Ready ? FileUrl(recording.Id, v.File) : null, v.StartSeconds, v.Status))
                .ToList(),
            events.Select(e => new TimelineEntry(e.Kind, e.AtSeconds, e.Bar, e.Bpm, e.BeatsPerBar, e.BeatUnit, e.Text)).ToList(),
            new BarGrid(events).Bars(duration),
            comments.OrderBy(c => c.AtSeconds).ThenBy(c => c.CreatedUtc)
                .Select(c => new CommentSummary(c.Id, c.ParentId, c.AtSeconds, c.Bar, c.TrackId, c.AuthorName, c.Text, c.CreatedUtc)).ToList(),
            role == OwnerRole.Leader,
            $"/api/recordings/{recording.Id}/export",
            zoneOf(recording.RoomId));
    }

    public static string FileUrl(Guid recordingId, string file) => $"/recordings/{recordingId}/files/{Uri.EscapeDataString(file)}";
}
