using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// A teacher of the course adds a material: a title with notes, or a link (http or https only, <see cref="MaterialLinks"/>).
/// Files come with <see cref="UploadCourseMaterial"/>.
public sealed record AddCourseMaterial(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    [property: StringLength(4000, ErrorMessage = "Validation.TooLong")] string? Notes,
    [property: StringLength(2000, ErrorMessage = "Validation.TooLong")] string? Url = null) : ICommand<Guid>;

public sealed class AddCourseMaterialHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, TimeProvider clock) : ICommandHandler<AddCourseMaterial, Guid>
{
    public async ValueTask<Guid> Handle(AddCourseMaterial command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureCourseTeacherAsync(owners, command.CourseId, command.Actor, cancellationToken);
        var url = string.IsNullOrWhiteSpace(command.Url) ? null : MaterialLinks.Check(command.Url);
        var material = new CourseMaterial
        {
            CourseId = command.CourseId,
            Title = command.Title.Trim(),
            Notes = command.Notes?.Trim() ?? "",
            Url = url,
            AddedUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.CourseMaterials.Add(material);
        await db.SaveChangesAsync(cancellationToken);
        return material.Id;
    }
}
