using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Calendar;

/// A calendar to subscribe to: its name and its entries.
public sealed record CalendarFeedItems(string Name, IReadOnlyList<ScheduleItem> Items);

/// The public feed of a course or ensemble whose calendar its owner made public; null for a private or missing one
/// (the two look the same from outside).
public sealed record GetOwnerFeed(OwnerKind Kind, Guid OwnerId, DateTime FromUtc) : IQuery<CalendarFeedItems?>;

public sealed class GetOwnerFeedHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<GetOwnerFeed, CalendarFeedItems?>
{
    public async ValueTask<CalendarFeedItems?> Handle(GetOwnerFeed query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var kind = owners[query.Kind];
        var owner = kind.Owners(db).Where(o => o.Id == query.OwnerId && o.PublicCalendar);
        var name = await owner.Select(o => o.Title).SingleOrDefaultAsync(cancellationToken);
        return name is null ? null : new CalendarFeedItems(name, await ScheduleItems.Of(db, kind, owner, query.FromUtc).ToListAsync(cancellationToken));
    }
}

/// A person's own feed, found by the secret token in its URL; null for an unknown token.
public sealed record GetPersonalFeed(string Token, DateTime FromUtc) : IQuery<CalendarFeedItems?>;

public sealed class GetPersonalFeedHandler(IDbContextFactory<LokiDbContext> dbFactory, IMediator mediator) : IQueryHandler<GetPersonalFeed, CalendarFeedItems?>
{
    public async ValueTask<CalendarFeedItems?> Handle(GetPersonalFeed query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.Where(u => u.CalendarToken == query.Token).Select(u => new { u.Id, u.DisplayName }).SingleOrDefaultAsync(cancellationToken);
        return person is null ? null : new CalendarFeedItems($"Loki – {person.DisplayName}", await mediator.Send(new GetMySchedule(person.Id, query.FromUtc), cancellationToken));
    }
}
