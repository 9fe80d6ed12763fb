using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

public sealed record RecordingFile(string FullPath, string FileName)
{
    /// WAV for the sound; WebM or MP4 for a converted camera or screen.
    public string ContentType => Path.GetExtension(FileName) switch
    {
        ".webm" => "video/webm",
        ".mp4" => "video/mp4",
        _ => "audio/wav",
    };
}

/// One file of a take (a track, the mix, or a converted camera or screen), for members of its owner. Only names the
/// take stored are served (a picture once converted), so the Janus recordings and the timeline never are.
public sealed record GetRecordingFile(Actor Actor, Guid RecordingId, string FileName) : IQuery<RecordingFile>;

public sealed class GetRecordingFileHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, RecordingStorage storage) : IQueryHandler<GetRecordingFile, RecordingFile>
{
    public async ValueTask<RecordingFile> Handle(GetRecordingFile query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (recording, _) = await db.RecordingForAsync(owners, query.RecordingId, query.Actor, cancellationToken);
        var known = query.FileName == recording.MixFile
            || await db.RecordingTracks.AnyAsync(t => t.RecordingId == recording.Id && t.File == query.FileName, cancellationToken)
            || await db.RecordingVideos.AnyAsync(v => v.RecordingId == recording.Id && v.File == query.FileName && v.Status == RecordingVideoStatus.Ready, cancellationToken);
        var path = known ? storage.PathOf(recording.Folder, query.FileName) : null;
        return path is not null && File.Exists(path)
            ? new RecordingFile(path, query.FileName)
            : throw Refusal.NotFound("Recording.Refusal.FileMissing");
    }
}
