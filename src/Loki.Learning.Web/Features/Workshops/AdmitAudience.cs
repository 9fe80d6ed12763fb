using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// Whether the holder of a registration token may listen to the event's audience stream: the registration holds a
/// place (any category) and the organizer has opened the live room. The answer is the room to listen to.
public sealed record AdmitAudience(Guid EventId, string? Token) : IQuery<Guid>;

public sealed class AdmitAudienceHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : IQueryHandler<AdmitAudience, Guid>
{
    public async ValueTask<Guid> Handle(AdmitAudience query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query.Token) || query.Token.Length > 64)
        {
            throw Refusal.Forbidden("Refusal.RegistrationNotFound");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var registration = await (
            from r in db.Registrations
            where r.Token == query.Token && r.WorkshopId == query.EventId
            join w in db.Workshops on r.WorkshopId equals w.Id
            select new { r.Status, w.RoomId })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw Refusal.Forbidden("Refusal.RegistrationNotFound");
        if (registration.Status != RegistrationStatus.Registered)
        {
            throw Refusal.Forbidden("Refusal.NotRegistered");
        }
        var view = await grains.GetGrain<IRoomGrain>(registration.RoomId).GetViewAsync();
        return view.Open ? registration.RoomId : throw Refusal.Conflict("Refusal.RoomClosed");
    }
}
