using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Notices;

public sealed record NoticeView(Guid Id, string Text, bool Urgent, DateTime PostedUtc);

/// Public: the notices in force, urgent ones first, then newest first.
public sealed record ListNotices : IQuery<IReadOnlyList<NoticeView>>;

/// An admin posts a notice; it shows on every page until withdrawn.
public sealed record PostNotice(
    Actor Actor,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(1000, MinimumLength = 3, ErrorMessage = "Validation.NoticeLength")] string Text,
    bool Urgent) : ICommand<Guid>;

public sealed record WithdrawNotice(Actor Actor, Guid NoticeId) : ICommand;

public sealed class NoticesHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock)
    : IQueryHandler<ListNotices, IReadOnlyList<NoticeView>>, ICommandHandler<PostNotice, Guid>, ICommandHandler<WithdrawNotice>
{
    public async ValueTask<IReadOnlyList<NoticeView>> Handle(ListNotices query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var notices = await db.Notices.AsNoTracking().Where(n => n.WithdrawnUtc == null)
            .Select(n => new NoticeView(n.Id, n.Text, n.Urgent, n.PostedUtc)).ToListAsync(cancellationToken);
        return notices.OrderByDescending(n => n.Urgent).ThenByDescending(n => n.PostedUtc).ToList();
    }

    public async ValueTask<Guid> Handle(PostNotice command, CancellationToken cancellationToken)
    {
        EnsureAdmin(command.Actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var notice = new Notice { Text = command.Text.Trim(), Urgent = command.Urgent, PostedUtc = clock.GetUtcNow().UtcDateTime };
        db.Notices.Add(notice);
        await db.SaveChangesAsync(cancellationToken);
        return notice.Id;
    }

    public async ValueTask<Unit> Handle(WithdrawNotice command, CancellationToken cancellationToken)
    {
        EnsureAdmin(command.Actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Notices.Where(n => n.Id == command.NoticeId && n.WithdrawnUtc == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.WithdrawnUtc, now), cancellationToken);
        return changed == 0 ? throw Refusal.NotFound("Refusal.NoticeNotFound") : Unit.Value;
    }

    private static void EnsureAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw Refusal.Forbidden("Refusal.OnlyAdminsPostNotices");
        }
    }
}
