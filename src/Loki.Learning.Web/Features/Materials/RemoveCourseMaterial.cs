using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// A teacher of the course removes a material; its file goes with it.
public sealed record RemoveCourseMaterial(Actor Actor, Guid MaterialId) : ICommand;

public sealed class RemoveCourseMaterialHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, MaterialStorage storage, ILogger<RemoveCourseMaterialHandler> logger)
    : ICommandHandler<RemoveCourseMaterial>
{
    public async ValueTask<Unit> Handle(RemoveCourseMaterial command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (material, role) = await db.MaterialForAsync(owners, command.MaterialId, command.Actor, cancellationToken);
        if (role != OwnerRole.Leader)
        {
            throw Refusal.Forbidden("Refusal.NotCourseTeacher");
        }
        db.CourseMaterials.Remove(material);
        await db.SaveChangesAsync(cancellationToken);
        // The row is gone, so nobody can reach the file any more; a file that cannot be deleted now is only disk space.
        if (material.StoredFileName is { } stored)
        {
            try
            {
                storage.Delete(stored);
            }
            catch (IOException exception)
            {
                logger.LogWarning(exception, "Could not delete the material file {File}", stored);
            }
        }
        return Unit.Value;
    }
}
