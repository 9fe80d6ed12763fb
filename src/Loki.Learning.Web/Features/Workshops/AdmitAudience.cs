using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// Whether the holder of a registration token may listen to the event's audience stream: the registration holds a
/// place (any category) and the organizer has opened the live room. The answer is the room to listen to and where its
/// audio lives (in a cluster, the node the listener's socket must reach).
public sealed record AdmitAudience(Guid EventId, string? Token) : IQuery<AudienceAdmission>;

/// <param name="Url">The stream's address with the token: a path on this site, or the hosting node's address.</param>
public sealed record AudienceAdmission(Guid RoomId, MediaEndpoint Where, string Url);

public sealed class AdmitAudienceHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : IQueryHandler<AdmitAudience, AudienceAdmission>
{
    public async ValueTask<AudienceAdmission> Handle(AdmitAudience query, CancellationToken cancellationToken)
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
        var room = grains.GetGrain<IRoomGrain>(registration.RoomId);
        if (!(await room.GetViewAsync()).Open)
        {
            throw Refusal.Conflict("Refusal.RoomClosed");
        }
        var where = await room.GetMediaEndpointAsync();
        return new AudienceAdmission(registration.RoomId, where, where.AudioBaseUrl + AudienceEndpoint.Path(query.EventId, query.Token));
    }
}
