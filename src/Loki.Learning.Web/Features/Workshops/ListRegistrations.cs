using System.Globalization;
using System.Text;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed record Attendee(Guid Id, string Name, string Email, TicketCategory Category, RegistrationStatus Status, DateTime CreatedUtc, DateTime? OfferExpiresUtc, bool HasAccount);

/// The organizer's attendee list: everyone who registered, places first, then the waitlist in order.
public sealed record ListRegistrations(Actor Actor, Guid EventId) : IQuery<IReadOnlyList<Attendee>>;

public sealed class ListRegistrationsHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<ListRegistrations, IReadOnlyList<Attendee>>
{
    public async ValueTask<IReadOnlyList<Attendee>> Handle(ListRegistrations query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OrganizedByAsync(query.EventId, query.Actor, cancellationToken);
        var rows = await db.Registrations.AsNoTracking().Where(r => r.WorkshopId == query.EventId).ToListAsync(cancellationToken);
        return rows
            .OrderBy(r => r.Category).ThenBy(r => r.Status).ThenBy(r => r.CreatedUtc)
            .Select(r => new Attendee(r.Id, r.Name, r.Email, r.Category, r.Status, r.CreatedUtc, r.OfferExpiresUtc, r.PersonId is not null))
            .ToList();
    }
}

/// Attendees as CSV (RFC 4180, UTF-8). Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
public static class AttendeeCsv
{
    public static string Render(IEnumerable<Attendee> attendees)
    {
        var csv = new StringBuilder("name,email,category,status,registered_utc,offer_expires_utc\r\n");
        foreach (var a in attendees)
        {
            csv.AppendJoin(',', Cell(a.Name), Cell(a.Email), a.Category, a.Status,
                a.CreatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                a.OfferExpiresUtc?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "");
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
