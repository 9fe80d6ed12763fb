using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// Shows a workshop to everyone, or takes it back to a draft (registrations are kept).
public sealed record PublishWorkshop(Actor Actor, Guid EventId, bool Published) : ICommand;

public sealed class PublishWorkshopHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<PublishWorkshop>
{
    public async ValueTask<Unit> Handle(PublishWorkshop command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OrganizedByAsync(command.EventId, command.Actor, cancellationToken);
        await db.Workshops.Where(w => w.Id == command.EventId).ExecuteUpdateAsync(u => u.SetProperty(w => w.Published, command.Published), cancellationToken);
        return Unit.Value;
    }
}
