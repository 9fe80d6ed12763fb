using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Rooms;

/// An admin entered a room they do not belong to (a pupils' rehearsal, say). Kept for whoever answers for the
/// children's privacy: written once, listed to admins, never changed or deleted by the platform.
public sealed class RoomVisit
{
    public long Id { get; set; }

    public Guid RoomId { get; set; }

    public string RoomTitle { get; set; } = "";

    public string OwnerTitle { get; set; } = "";

    public string PersonId { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public DateTime AtUtc { get; set; }
}

internal sealed class RoomVisitConfiguration : IEntityTypeConfiguration<RoomVisit>
{
    public void Configure(EntityTypeBuilder<RoomVisit> visit)
    {
        visit.Property(v => v.RoomTitle).HasMaxLength(200);
        visit.Property(v => v.OwnerTitle).HasMaxLength(200);
        visit.Property(v => v.PersonId).HasMaxLength(64);
        visit.Property(v => v.DisplayName).HasMaxLength(100);
        visit.HasIndex(v => v.AtUtc);
    }
}

/// The newest admin visits first (admins only).
public sealed record ListRoomVisits(Actor Actor, int Take = 200) : IQuery<IReadOnlyList<RoomVisit>>;

public sealed class ListRoomVisitsHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<ListRoomVisits, IReadOnlyList<RoomVisit>>
{
    public async ValueTask<IReadOnlyList<RoomVisit>> Handle(ListRoomVisits query, CancellationToken cancellationToken)
    {
        if (!query.Actor.IsAdmin)
        {
            throw Refusal.Forbidden("Refusal.AdminsOnly");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RoomVisits.AsNoTracking().OrderByDescending(v => v.Id).Take(Math.Clamp(query.Take, 1, 1000)).ToListAsync(cancellationToken);
    }
}
