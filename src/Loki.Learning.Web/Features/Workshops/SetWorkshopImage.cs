using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// The organizer gives the event a picture with a description for those who cannot see it. The upload is checked and
/// resized by <see cref="EventImages"/> before anything is written: a refused upload stores nothing and leaves the
/// previous picture. The answer is the picture's address on this site.
public sealed record SetWorkshopImage(
    Actor Actor,
    Guid EventId,
    byte[] Content,
    [property: Required(ErrorMessage = "Events.Image.AltRequired"), StringLength(300, MinimumLength = 3, ErrorMessage = "Events.Image.AltLength")] string Alt)
    : ICommand<string>;

/// Takes the event's picture away (uploaded or a path on this site).
public sealed record RemoveWorkshopImage(Actor Actor, Guid EventId) : ICommand;

public sealed class SetWorkshopImageHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock)
    : ICommandHandler<SetWorkshopImage, string>, ICommandHandler<RemoveWorkshopImage>
{
    public async ValueTask<string> Handle(SetWorkshopImage command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OrganizedByAsync(command.EventId, command.Actor, cancellationToken);
        if (command.Alt.IndexOfAny(['<', '>']) >= 0)
        {
            throw Refusal.Invalid("Validation.NoMarkup", nameof(command.Alt));
        }
        var picture = EventImages.Check(command.Content);
        var image = new WorkshopImage
        {
            WorkshopId = command.EventId,
            ContentType = EventImages.ContentType,
            Content = picture.Content,
            Width = picture.Width,
            Height = picture.Height,
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<WorkshopImage>().Where(i => i.WorkshopId == command.EventId).ExecuteDeleteAsync(cancellationToken);
        db.Set<WorkshopImage>().Add(image);
        await db.SaveChangesAsync(cancellationToken);
        await db.Workshops.Where(w => w.Id == command.EventId).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.ImagePath, image.Path)
            .SetProperty(w => w.ImageAlt, command.Alt.Trim()), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return image.Path;
    }

    public async ValueTask<Unit> Handle(RemoveWorkshopImage command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OrganizedByAsync(command.EventId, command.Actor, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<WorkshopImage>().Where(i => i.WorkshopId == command.EventId).ExecuteDeleteAsync(cancellationToken);
        await db.Workshops.Where(w => w.Id == command.EventId).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.ImagePath, (string?)null)
            .SetProperty(w => w.ImageAlt, (string?)null), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Unit.Value;
    }
}
