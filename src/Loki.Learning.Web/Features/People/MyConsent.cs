using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.People;

/// The consent on file for a person. <see cref="OwnToGive"/> is false for a pupil: a guardian's consent, recorded by the
/// pupil's teacher, is the rule for minors.
public sealed record ConsentOnFile(bool Recording, bool Video, bool OwnToGive);

public sealed record GetMyConsent(Actor Actor) : IQuery<ConsentOnFile>;

/// An adult gives or withdraws their own consent; a value left out stays as it is.
public sealed record SetMyConsent(Actor Actor, bool? Recording, bool? Video) : ICommand<ConsentOnFile>;

public sealed class GetMyConsentHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<GetMyConsent, ConsentOnFile>
{
    public async ValueTask<ConsentOnFile> Handle(GetMyConsent query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.Where(u => u.Id == query.Actor.PersonId)
            .Select(u => new ConsentOnFile(u.RecordingConsent, u.VideoConsent, !u.IsPupil))
            .SingleOrDefaultAsync(cancellationToken) ?? throw Refusal.NotFound();
    }
}

public sealed class SetMyConsentHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<SetMyConsent, ConsentOnFile>
{
    public async ValueTask<ConsentOnFile> Handle(SetMyConsent command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.SingleOrDefaultAsync(u => u.Id == command.Actor.PersonId, cancellationToken) ?? throw Refusal.NotFound();
        if (person.IsPupil)
        {
            throw Refusal.Forbidden("Refusal.PupilConsentIsGuardians");
        }
        person.RecordingConsent = command.Recording ?? person.RecordingConsent;
        person.VideoConsent = command.Video ?? person.VideoConsent;
        await db.SaveChangesAsync(cancellationToken);
        return new ConsentOnFile(person.RecordingConsent, person.VideoConsent, OwnToGive: true);
    }
}
