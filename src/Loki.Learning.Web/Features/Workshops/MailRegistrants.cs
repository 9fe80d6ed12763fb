using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// The organizer writes to the people registered for their event: those with a place (and an offer), those on the
/// waitlist, or both. Each gets their own mail with their registration's link under the text. Only the event's
/// organizer (or an admin) may; each event may send <see cref="MailRegistrantsHandler.PermitsPerWindow"/> such mails
/// an hour, so a hijacked or careless account cannot flood the registrants.
public sealed record MailRegistrants(
    Actor Actor,
    Guid EventId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(150, MinimumLength = 3, ErrorMessage = "Events.MailAll.SubjectLength")] string Subject,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(5000, MinimumLength = 3, ErrorMessage = "Events.MailAll.BodyLength")] string Body,
    bool ToRegistered = true,
    bool ToWaitlisted = false) : ICommand<int>;

public sealed class MailRegistrantsHandler(IDbContextFactory<LokiDbContext> dbFactory, RegistrationMails registrationMails) : ICommandHandler<MailRegistrants, int>, IDisposable
{
    public const int PermitsPerWindow = 5;

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// Per event, across all of its organizers' sessions (the handler is a singleton).
    private readonly PartitionedRateLimiter<Guid> _limiter = PartitionedRateLimiter.Create<Guid, Guid>(eventId =>
        RateLimitPartition.GetFixedWindowLimiter(eventId, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitsPerWindow, Window = Window, QueueLimit = 0, AutoReplenishment = true,
        }));

    public async ValueTask<int> Handle(MailRegistrants command, CancellationToken cancellationToken)
    {
        if (!command.ToRegistered && !command.ToWaitlisted)
        {
            throw Refusal.Invalid("Events.MailAll.NoRecipients", nameof(command.ToRegistered));
        }
        if (command.Subject.IndexOfAny(['\r', '\n']) >= 0)
        {
            throw Refusal.Invalid("Validation.Invalid", nameof(command.Subject));
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Who may comes first: a stranger's attempts use up nothing of the organizer's allowance.
        var workshop = await db.OrganizedByAsync(command.EventId, command.Actor, cancellationToken);
        using (var lease = _limiter.AttemptAcquire(command.EventId))
        {
            if (!lease.IsAcquired)
            {
                throw new Refusal(RefusalKind.TooManyAttempts, "Events.MailAll.TooMany");
            }
        }
        var registrants = await db.Registrations.AsNoTracking()
            .Where(r => r.WorkshopId == workshop.Id
                && (((r.Status == RegistrationStatus.Registered || r.Status == RegistrationStatus.Offered) && command.ToRegistered)
                    || (r.Status == RegistrationStatus.Waitlisted && command.ToWaitlisted)))
            .OrderBy(r => r.CreatedUtc)
            .ToListAsync(cancellationToken);
        var mails = registrants.Select(r => registrationMails.Compose(workshop, r, (text, _, link) => (
            text["Mail.FromOrganizer", workshop.Title, command.Subject.Trim()],
            text["Mail.FromOrganizer.Body", command.Body.Trim(), workshop.Title, link]))).ToList();
        await registrationMails.SendAsync(workshop.Id, mails);
        return mails.Count;
    }

    public void Dispose() => _limiter.Dispose();
}
