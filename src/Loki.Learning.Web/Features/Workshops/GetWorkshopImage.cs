using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed record WorkshopImageFile(byte[] Content, string ContentType, bool Public);

/// An uploaded picture: anyone's once the event is published, otherwise only its organizer's (a draft is not public).
public sealed record GetWorkshopImage(Actor? Actor, Guid EventId, Guid ImageId) : IQuery<WorkshopImageFile>;

public sealed class GetWorkshopImageHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<GetWorkshopImage, WorkshopImageFile>
{
    public async ValueTask<WorkshopImageFile> Handle(GetWorkshopImage query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workshop = await db.Workshops.AsNoTracking().SingleOrDefaultAsync(w => w.Id == query.EventId, cancellationToken);
        if (workshop is null || (!workshop.Published && !workshop.Organizes(query.Actor)))
        {
            throw Refusal.NotFound("Refusal.EventNotFound");
        }
        var image = await db.Set<WorkshopImage>().AsNoTracking()
            .Where(i => i.Id == query.ImageId && i.WorkshopId == query.EventId)
            .Select(i => new { i.Content, i.ContentType })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw Refusal.NotFound();
        return new WorkshopImageFile(image.Content, image.ContentType, workshop.Published);
    }
}
