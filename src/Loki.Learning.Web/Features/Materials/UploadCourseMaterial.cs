using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// A teacher of the course adds a file (PDF, MusicXML, an image or a sound). The content is checked before anything is
/// written (<see cref="MaterialInspector"/>): a refused upload leaves no file and no row.
/// <param name="Title">Empty: the file's name without its extension.</param>
public sealed record UploadCourseMaterial(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(260, ErrorMessage = "Validation.TooLong")] string FileName,
    byte[] Content,
    [property: StringLength(200, ErrorMessage = "Validation.TooLong")] string? Title = null,
    [property: StringLength(4000, ErrorMessage = "Validation.TooLong")] string? Notes = null) : ICommand<Guid>;

public sealed class UploadCourseMaterialHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, MaterialStorage storage, TimeProvider clock)
    : ICommandHandler<UploadCourseMaterial, Guid>
{
    public async ValueTask<Guid> Handle(UploadCourseMaterial command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureCourseTeacherAsync(owners, command.CourseId, command.Actor, cancellationToken);
        var inspection = MaterialInspector.Inspect(command.FileName, command.Content);
        var originalName = Path.GetFileName(command.FileName.Replace('\\', '/'));
        var fallback = Path.GetFileNameWithoutExtension(originalName);
        var material = new CourseMaterial
        {
            CourseId = command.CourseId,
            Title = Truncate(!string.IsNullOrWhiteSpace(command.Title) ? command.Title.Trim() : fallback.Length > 0 ? fallback : originalName, 200),
            Notes = command.Notes?.Trim() ?? "",
            FileName = Truncate(originalName, 260),
            StoredFileName = MaterialStorage.NewFileName(inspection.Extension),
            ContentType = inspection.ContentType,
            Size = command.Content.Length,
            AddedUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.CourseMaterials.Add(material);
        await storage.SaveWithRowAsync(material.StoredFileName, command.Content, () => db.SaveChangesAsync(cancellationToken), cancellationToken);
        return material.Id;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
