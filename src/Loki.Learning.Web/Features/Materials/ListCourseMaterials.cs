using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// One material as its course's members see it. <see cref="Url"/> is a web address or null; a file is at <see cref="FileUrl"/>.
public sealed record MaterialView(Guid Id, string Title, string Notes, string? Url, string? FileName, MaterialFileKind? Kind, long Size, DateTime AddedUtc)
{
    public string? FileUrl => FileName is null ? null : $"/materials/{Id}/file";
}

/// <param name="CanManage">The actor adds and removes materials (a teacher of the course).</param>
public sealed record CourseMaterials(bool CanManage, IReadOnlyList<MaterialView> Materials);

/// A course's materials in the order they were added, for its teachers and enrolled students.
public sealed record ListCourseMaterials(Actor Actor, Guid CourseId) : IQuery<CourseMaterials>;

public sealed class ListCourseMaterialsHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<ListCourseMaterials, CourseMaterials>
{
    public async ValueTask<CourseMaterials> Handle(ListCourseMaterials query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var role = await db.CourseRoleAsync(owners, query.CourseId, query.Actor, cancellationToken);
        var rows = await db.CourseMaterials.AsNoTracking().Where(m => m.CourseId == query.CourseId).ToListAsync(cancellationToken);
        return new CourseMaterials(role == OwnerRole.Leader, rows
            .OrderBy(m => m.AddedUtc)
            .Select(m => new MaterialView(m.Id, m.Title, m.Notes, MaterialLinks.Href(m.Url), m.StoredFileName is null ? null : m.FileName ?? m.StoredFileName,
                m.StoredFileName is null ? null : KindOf(m.ContentType), m.Size, m.AddedUtc))
            .ToList());
    }

    internal static MaterialFileKind KindOf(string? contentType) => contentType switch
    {
        "application/pdf" => MaterialFileKind.Pdf,
        { } type when type.StartsWith("image/", StringComparison.Ordinal) => MaterialFileKind.Image,
        { } type when type.StartsWith("audio/", StringComparison.Ordinal) => MaterialFileKind.Audio,
        _ => MaterialFileKind.MusicXml,
    };
}
