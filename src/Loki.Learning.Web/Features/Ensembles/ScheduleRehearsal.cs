using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// <param name="Start">Wall-clock start in the ensemble's time zone.</param>
public sealed record ScheduleRehearsal(
    Actor Actor,
    Guid EnsembleId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    DateTime Start,
    [property: Range(15, 480, ErrorMessage = "Validation.Duration")] int DurationMinutes) : ICommand<Guid>;

public sealed class ScheduleRehearsalHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<ScheduleRehearsal, Guid>
{
    public async ValueTask<Guid> Handle(ScheduleRehearsal command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        var timeZoneId = await db.Ensembles.Where(e => e.Id == command.EnsembleId).Select(e => e.TimeZoneId).SingleAsync(cancellationToken);
        var (startsUtc, endsUtc) = Schedule.Slot(command.Start, command.DurationMinutes, timeZoneId);
        var rehearsal = new Rehearsal { EnsembleId = command.EnsembleId, Title = command.Title.Trim(), StartsUtc = startsUtc, EndsUtc = endsUtc };
        db.Rehearsals.Add(rehearsal);
        await db.SaveChangesAsync(cancellationToken);
        return rehearsal.Id;
    }
}
