using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Calendar;

/// Replaces the secret in a person's feed URL: the old URL stops working at once.
public sealed record ResetCalendarToken(string PersonId) : ICommand<string>;

public sealed class ResetCalendarTokenHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<ResetCalendarToken, string>
{
    public async ValueTask<string> Handle(ResetCalendarToken command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = SecretTokens.New();
        var updated = await db.Users.Where(u => u.Id == command.PersonId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.CalendarToken, token), cancellationToken);
        return updated == 1 ? token : throw Refusal.NotFound("Refusal.PersonNotFound");
    }
}
