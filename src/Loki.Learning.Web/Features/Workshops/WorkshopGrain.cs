using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed class WorkshopGrain(
    IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock, RegistrationMails registrationMails)
    : Grain, IWorkshopGrain
{
    /// How long a freed place is held for the first on the waitlist.
    public static readonly TimeSpan OfferLifetime = TimeSpan.FromHours(48);

    private Guid WorkshopId => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Offers lapse even when nobody calls; every call also checks first, so tests with a fake clock need no timer.
        this.RegisterGrainTimer(ExpireOffersAsync, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<RegistrationOutcome> RegisterAsync(RegistrationRequest request) => InTransactionAsync(async (db, workshop, mails) =>
    {
        if (!workshop.Published)
        {
            return new RegistrationOutcome("Refusal.EventNotFound");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (now < workshop.RegistrationOpensUtc)
        {
            return new RegistrationOutcome("Refusal.RegistrationNotOpen");
        }
        if (now >= workshop.RegistrationClosesUtc)
        {
            return new RegistrationOutcome("Refusal.RegistrationClosed");
        }
        var places = workshop.PlacesFor(request.Category);
        if (places == 0)
        {
            return new RegistrationOutcome("Refusal.CategoryNotOffered");
        }
        var email = request.Email.Trim().ToLowerInvariant();
        var live = db.Registrations.Where(r => r.WorkshopId == WorkshopId
            && (r.Status == RegistrationStatus.Registered || r.Status == RegistrationStatus.Offered || r.Status == RegistrationStatus.Waitlisted));
        if (await live.AnyAsync(r => r.Email == email || (request.PersonId != null && r.PersonId == request.PersonId)))
        {
            return new RegistrationOutcome("Refusal.AlreadyRegistered");
        }
        var inCategory = live.Where(r => r.Category == request.Category);
        var taken = await inCategory.CountAsync(r => r.Status != RegistrationStatus.Waitlisted);
        var waiting = await inCategory.AnyAsync(r => r.Status == RegistrationStatus.Waitlisted);
        // The waitlist is served in CreatedUtc order, so it increases strictly per workshop even within one clock tick.
        var latest = await db.Registrations.Where(r => r.WorkshopId == WorkshopId).MaxAsync(r => (DateTime?)r.CreatedUtc);
        var created = latest is { } previous && previous >= now ? previous.AddTicks(1) : now;
        var registration = new Registration
        {
            WorkshopId = WorkshopId,
            Category = request.Category,
            Name = request.Name.Trim(),
            Email = email,
            PersonId = request.PersonId,
            // Nobody jumps the queue: with people waiting, a newcomer waits too (a freed place is already on offer).
            Status = taken < places && !waiting ? RegistrationStatus.Registered : RegistrationStatus.Waitlisted,
            CreatedUtc = created,
            ConsentedUtc = now,
            Token = SecretTokens.New(),
            Language = request.Language,
            LinkBase = request.LinkBase,
        };
        db.Registrations.Add(registration);
        await db.SaveChangesAsync();
        mails.Add(MailAbout(workshop, registration, registration.Status == RegistrationStatus.Registered ? "Mail.Registered" : "Mail.Waitlisted"));
        return Outcome(registration);
    });

    public Task<RegistrationOutcome> CancelAsync(string token) => InTransactionAsync(async (db, workshop, mails) =>
    {
        var registration = await db.Registrations.SingleOrDefaultAsync(r => r.WorkshopId == WorkshopId && r.Token == token);
        if (registration is null)
        {
            return new RegistrationOutcome("Refusal.RegistrationNotFound");
        }
        if (!Registration.IsLive(registration.Status))
        {
            return new RegistrationOutcome("Refusal.RegistrationNotLive", registration.Status, token, registration.Category);
        }
        registration.Status = RegistrationStatus.Cancelled;
        registration.OfferExpiresUtc = null;
        await db.SaveChangesAsync();
        mails.Add(MailAbout(workshop, registration, "Mail.Cancelled"));
        await OfferFreedPlacesAsync(db, workshop, registration.Category, mails);
        return Outcome(registration);
    });

    public Task<RegistrationOutcome> AcceptOfferAsync(string token) => InTransactionAsync(async (db, workshop, mails) =>
    {
        var registration = await db.Registrations.SingleOrDefaultAsync(r => r.WorkshopId == WorkshopId && r.Token == token);
        if (registration is null)
        {
            return new RegistrationOutcome("Refusal.RegistrationNotFound");
        }
        if (registration.Status != RegistrationStatus.Offered)
        {
            return new RegistrationOutcome(registration.Status == RegistrationStatus.OfferExpired ? "Refusal.OfferExpired" : "Refusal.NoOffer",
                registration.Status, token, registration.Category);
        }
        registration.Status = RegistrationStatus.Registered;
        registration.OfferExpiresUtc = null;
        await db.SaveChangesAsync();
        mails.Add(MailAbout(workshop, registration, "Mail.Registered"));
        return Outcome(registration);
    });

    public Task ExpireOffersAsync() => InTransactionAsync((_, _, _) => Task.FromResult(new RegistrationOutcome(null)));

    /// Runs <paramref name="change"/> in one transaction after letting lapsed offers go (their changes are kept even when
    /// <paramref name="change"/> refuses: a refusal writes nothing of its own). E-mails go out after the commit.
    private async Task<RegistrationOutcome> InTransactionAsync(Func<LokiDbContext, Workshop, List<Mail.Mail>, Task<RegistrationOutcome>> change)
    {
        var mails = new List<Mail.Mail>();
        RegistrationOutcome outcome;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var workshop = await db.Workshops.AsNoTracking().SingleOrDefaultAsync(w => w.Id == WorkshopId);
            if (workshop is null)
            {
                return new RegistrationOutcome("Refusal.EventNotFound");
            }
            await using var transaction = await db.Database.BeginTransactionAsync();
            await LapseOffersAsync(db, workshop, mails);
            outcome = await change(db, workshop, mails);
            await transaction.CommitAsync();
        }
        await SendAsync(mails);
        return outcome;
    }

    private async Task LapseOffersAsync(LokiDbContext db, Workshop workshop, List<Mail.Mail> mails)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lapsed = await db.Registrations
            .Where(r => r.WorkshopId == workshop.Id && r.Status == RegistrationStatus.Offered && r.OfferExpiresUtc <= now)
            .ToListAsync();
        if (lapsed.Count == 0)
        {
            return;
        }
        foreach (var registration in lapsed)
        {
            registration.Status = RegistrationStatus.OfferExpired;
            mails.Add(MailAbout(workshop, registration, "Mail.OfferExpired"));
        }
        await db.SaveChangesAsync();
        foreach (var category in lapsed.Select(r => r.Category).Distinct())
        {
            await OfferFreedPlacesAsync(db, workshop, category, mails);
        }
    }

    /// Offers every free place of <paramref name="category"/> to the longest waiting, one place each.
    private async Task OfferFreedPlacesAsync(LokiDbContext db, Workshop workshop, TicketCategory category, List<Mail.Mail> mails)
    {
        var inCategory = db.Registrations.Where(r => r.WorkshopId == workshop.Id && r.Category == category);
        var taken = await inCategory.CountAsync(r => r.Status == RegistrationStatus.Registered || r.Status == RegistrationStatus.Offered);
        var free = workshop.PlacesFor(category) - taken;
        if (free <= 0)
        {
            return;
        }
        var next = await inCategory.Where(r => r.Status == RegistrationStatus.Waitlisted)
            .OrderBy(r => r.CreatedUtc).ThenBy(r => r.Id).Take(free).ToListAsync();
        var expires = clock.GetUtcNow().UtcDateTime + OfferLifetime;
        foreach (var registration in next)
        {
            registration.Status = RegistrationStatus.Offered;
            registration.OfferExpiresUtc = expires;
            mails.Add(MailAbout(workshop, registration, "Mail.Offered"));
        }
        await db.SaveChangesAsync();
    }

    private static RegistrationOutcome Outcome(Registration registration) =>
        new(null, registration.Status, registration.Token, registration.Category, registration.OfferExpiresUtc);

    private Mail.Mail MailAbout(Workshop workshop, Registration registration, string key) => registrationMails.About(workshop, registration, key);

    private Task SendAsync(List<Mail.Mail> mails) => registrationMails.SendAsync(WorkshopId, mails);
}
