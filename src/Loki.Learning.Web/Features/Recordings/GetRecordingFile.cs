using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

public sealed record RecordingFile(string FullPath, string FileName);

/// One WAV of a take (a track or the mix), for members of its owner. Only names the take stored are served.
public sealed record GetRecordingFile(Actor Actor, Guid RecordingId, string FileName) : IQuery<RecordingFile>;

public sealed class GetRecordingFileHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, RecordingStorage storage) : IQueryHandler<GetRecordingFile, RecordingFile>
{
    public async ValueTask<RecordingFile> Handle(GetRecordingFile query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (recording, _) = await db.RecordingForAsync(owners, query.RecordingId, query.Actor, cancellationToken);
        var known = query.FileName == recording.MixFile
            || await db.RecordingTracks.AnyAsync(t => t.RecordingId == recording.Id && t.File == query.FileName, cancellationToken);
        var path = known ? storage.PathOf(recording.Folder, query.FileName) : null;
        return path is not null && File.Exists(path)
            ? new RecordingFile(path, query.FileName)
            : throw Refusal.NotFound("Recording.Refusal.FileMissing");
    }
}
