using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;

namespace Loki.Learning.Web.Tests.Workshops;

/// Events for tests: a published workshop a week after the catalogue's clock, with the places asked for.
internal static class Events
{
    public static async Task<(Actor Organizer, Guid EventId)> PublishedAsync(
        Catalogue catalogue, int performers = 0, int participants = 0, int audience = 0, string description = "", bool publish = true,
        DateTime? opensLocal = null, DateTime? closesLocal = null)
    {
        var organizer = await catalogue.PersonAsync(Roles.Organizer);
        var start = catalogue.Clock.GetUtcNow().UtcDateTime.Date.AddDays(7).AddHours(19);
        var id = await catalogue.Mediator.Send(new CreateWorkshop(organizer, "Fiddle workshop " + Guid.NewGuid().ToString("N")[..6], description, "sv",
            "Gamla Tingshuset", Online: true, ImagePath: null, "Europe/Stockholm",
            [new NewWorkshopSession("Evening one", start, 120), new NewWorkshopSession("Evening two", start.AddDays(1), 90)],
            performers, participants, audience, opensLocal, closesLocal, Publish: publish));
        return (organizer, id);
    }

    public static RegisterForWorkshop Visitor(Guid eventId, TicketCategory category, string? name = null) =>
        new(null, eventId, name ?? "Visitor " + RandomSurname(), $"v-{Guid.NewGuid():N}@example.se", category, Consent: true);

    /// Six random letters: a registration's name is a person's name, without digits.
    public static string RandomSurname() =>
        string.Concat(Guid.NewGuid().ToString("N")[..6].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
}

internal static class CatalogueTime
{
    /// The catalogue's clock as wall-clock time in Stockholm, where the test events happen.
    public static DateTime StockholmNow(this Catalogue catalogue) => Schedule.ToLocal(catalogue.Clock.GetUtcNow().UtcDateTime, "Europe/Stockholm");
}
