using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

public sealed record AddCourseMaterial(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    [property: StringLength(4000, ErrorMessage = "Validation.TooLong")] string? Notes) : ICommand<Guid>;

public sealed class AddCourseMaterialHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<AddCourseMaterial, Guid>
{
    public async ValueTask<Guid> Handle(AddCourseMaterial command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureTeachesAsync(command.CourseId, command.Actor, cancellationToken);
        var material = new CourseMaterial { CourseId = command.CourseId, Title = command.Title.Trim(), Notes = command.Notes?.Trim() ?? "" };
        db.CourseMaterials.Add(material);
        await db.SaveChangesAsync(cancellationToken);
        return material.Id;
    }
}
