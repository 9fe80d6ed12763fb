using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed record RegistrationDetails(
    Guid EventId, string EventTitle, string Name, TicketCategory Category, RegistrationStatus Status, DateTime? OfferExpiresUtc,
    string TimeZoneId, Guid RoomId, DateTime StartsUtc, DateTime EndsUtc);

/// What the holder of a registration's link sees. The token is the only key: no login needed.
public sealed record GetRegistration(string Token) : IQuery<RegistrationDetails>;

/// Cancels by the token from the e-mail. With an event id (the API's route) the token must belong to that event.
public sealed record CancelRegistration(string Token, Guid? EventId = null) : ICommand<RegistrationOutcome>;

/// The first on the waitlist takes the place that was offered to them.
public sealed record AcceptOffer(string Token) : ICommand<RegistrationOutcome>;

public sealed class ManageRegistrationHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains)
    : IQueryHandler<GetRegistration, RegistrationDetails>, ICommandHandler<CancelRegistration, RegistrationOutcome>, ICommandHandler<AcceptOffer, RegistrationOutcome>
{
    public async ValueTask<RegistrationDetails> Handle(GetRegistration query, CancellationToken cancellationToken)
    {
        var eventId = await EventOfAsync(query.Token, null, cancellationToken);
        // An offer whose time has run out is shown as lapsed, not as still open.
        await grains.GetGrain<IWorkshopGrain>(eventId).ExpireOffersAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await (
            from r in db.Registrations
            where r.Token == query.Token
            join w in db.Workshops on r.WorkshopId equals w.Id
            select new RegistrationDetails(w.Id, w.Title, r.Name, r.Category, r.Status, r.OfferExpiresUtc, w.TimeZoneId, w.RoomId, w.StartsUtc, w.EndsUtc))
            .SingleAsync(cancellationToken);
    }

    public async ValueTask<RegistrationOutcome> Handle(CancelRegistration command, CancellationToken cancellationToken)
    {
        var eventId = await EventOfAsync(command.Token, command.EventId, cancellationToken);
        return Checked(await grains.GetGrain<IWorkshopGrain>(eventId).CancelAsync(command.Token));
    }

    public async ValueTask<RegistrationOutcome> Handle(AcceptOffer command, CancellationToken cancellationToken)
    {
        var eventId = await EventOfAsync(command.Token, null, cancellationToken);
        return Checked(await grains.GetGrain<IWorkshopGrain>(eventId).AcceptOfferAsync(command.Token));
    }

    private async Task<Guid> EventOfAsync(string token, Guid? eventId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64)
        {
            throw Refusal.NotFound("Refusal.RegistrationNotFound");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Registrations.Where(r => r.Token == token).Select(r => (Guid?)r.WorkshopId).SingleOrDefaultAsync(cancellationToken);
        if (found is null || (eventId is not null && found != eventId))
        {
            throw Refusal.NotFound("Refusal.RegistrationNotFound");
        }
        return found.Value;
    }

    private static RegistrationOutcome Checked(RegistrationOutcome outcome) => outcome.RefusalKey switch
    {
        null => outcome,
        "Refusal.RegistrationNotFound" => throw Refusal.NotFound(outcome.RefusalKey),
        _ => throw Refusal.Conflict(outcome.RefusalKey),
    };
}
