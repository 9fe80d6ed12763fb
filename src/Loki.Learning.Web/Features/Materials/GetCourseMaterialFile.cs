using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// Where a material's file is on disk, for the course's members only.
/// <param name="Inline">Shown in the browser (a picture, a sound); other kinds are downloaded.</param>
public sealed record MaterialFile(string FullPath, string ContentType, string FileName, bool Inline);

public sealed record GetCourseMaterialFile(Actor Actor, Guid MaterialId) : IQuery<MaterialFile>;

public sealed class GetCourseMaterialFileHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, MaterialStorage storage)
    : IQueryHandler<GetCourseMaterialFile, MaterialFile>
{
    public async ValueTask<MaterialFile> Handle(GetCourseMaterialFile query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (material, _) = await db.MaterialForAsync(owners, query.MaterialId, query.Actor, cancellationToken);
        if (material is not { StoredFileName: { } stored, ContentType: { } contentType })
        {
            throw Refusal.NotFound("Materials.Refusal.NotFound");
        }
        var path = storage.PathOf(stored);
        var kind = ListCourseMaterialsHandler.KindOf(contentType);
        return File.Exists(path)
            ? new MaterialFile(path, contentType, material.FileName ?? stored, kind is MaterialFileKind.Image or MaterialFileKind.Audio)
            : throw Refusal.NotFound("Materials.Refusal.NotFound");
    }
}
