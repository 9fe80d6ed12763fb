using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// Anyone registers with a name and an e-mail address, or as the signed-in person (then the account's address is used
/// when none is given). Consent to the event's terms is required. The answer says whether a place was given or the
/// person is on the waitlist, and carries the token of the registration's page. The edge passes the language the
/// person reads the site in and the address they reach it at (<see cref="PublicAddress.LinkBaseFor"/>): mails about
/// the registration are written in that language and link to that address.
public sealed record RegisterForWorkshop(
    Actor? Actor,
    Guid EventId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(80, MinimumLength = 2, ErrorMessage = "Validation.PersonName"),
        RegularExpression(RegisterForWorkshop.PersonNamePattern, ErrorMessage = "Validation.PersonName")] string Name,
    [property: StringLength(256, ErrorMessage = "Validation.TooLong"), RegularExpression(RegisterForWorkshop.EmailPattern, ErrorMessage = "Validation.Email")] string? Email,
    TicketCategory Category,
    bool Consent,
    string? Language = null,
    Uri? LinkBase = null) : ICommand<RegistrationOutcome>
{
    /// Something@something.tld, no spaces or angle brackets: what a mail server can deliver to.
    public const string EmailPattern = @"^[^@\s<>""]+@[^@\s<>""]+\.[^@\s<>""]{2,}$";

    /// A person's name as it goes into the organizer's list and the confirmation mail: letters of any script (with
    /// their accents), spaces, hyphens and apostrophes, starting and ending with a letter. No digits, dots, colons,
    /// slashes or brackets, so no link or markup can ride in the mail under the site's name.
    public const string PersonNamePattern = @"^ *\p{L}[\p{L}\p{M}'’ -]*[\p{L}\p{M}] *$";
}

public sealed class RegisterForWorkshopHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<RegisterForWorkshop, RegistrationOutcome>
{
    public async ValueTask<RegistrationOutcome> Handle(RegisterForWorkshop command, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(command.Category))
        {
            throw Refusal.Invalid("Validation.Category", nameof(command.Category));
        }
        if (!command.Consent)
        {
            throw Refusal.Invalid("Validation.ConsentRequired", nameof(command.Consent));
        }
        var email = command.Email;
        if (string.IsNullOrWhiteSpace(email) && command.Actor is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            email = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(email))
        {
            throw Refusal.Invalid("Validation.Required", nameof(command.Email));
        }

        var outcome = await grains.GetGrain<IWorkshopGrain>(command.EventId)
            .RegisterAsync(new RegistrationRequest(command.Name.Trim(), email, command.Category, command.Actor?.PersonId,
                command.Language is { } language && LocalizationHosting.Cultures.Contains(language) ? language : null,
                command.LinkBase is { IsAbsoluteUri: true, Scheme: "http" or "https" } link ? link.ToString() : null));
        return outcome.RefusalKey switch
        {
            null => outcome,
            "Refusal.EventNotFound" => throw Refusal.NotFound(outcome.RefusalKey),
            "Refusal.AlreadyRegistered" => throw Refusal.Conflict(outcome.RefusalKey, nameof(command.Email)),
            "Refusal.CategoryNotOffered" => throw Refusal.Invalid(outcome.RefusalKey, nameof(command.Category)),
            _ => throw Refusal.Conflict(outcome.RefusalKey),
        };
    }
}
