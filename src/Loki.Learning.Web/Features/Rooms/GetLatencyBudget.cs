using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// <param name="FibreFloorMs">The least one-way delay light in fibre allows between the two sites (route factor applied), when both have coordinates.</param>
/// <param name="MeasuredMs">Mouth-to-ear through the hub from measured figures: both one-way delays plus one mixing period, when both are measured.</param>
public sealed record LatencyPair(string A, string B, string? SiteA, string? SiteB, double? DistanceKm, double? FibreFloorMs, double? MeasuredMs);

/// Pairwise delays between everyone in a room: what physics allows between their sites, and what was measured.
public sealed record GetLatencyBudget(Actor Actor, Guid RoomId) : IQuery<IReadOnlyList<LatencyPair>>;

public sealed class GetLatencyBudgetHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : IQueryHandler<GetLatencyBudget, IReadOnlyList<LatencyPair>>
{
    /// Light in fibre: about 4.9 µs per km.
    public const double FibreMsPerKm = 0.0049;

    /// Real routes run about twice the straight line (DESIGN: Östersund–Trondheim 214 km ≈ 1 ms straight, ≈ 2 ms real).
    public const double RouteFactor = 2.0;

    /// One mixing period at 48 kHz / 128 frames.
    public const double PeriodMs = 128 * 1000.0 / 48000;

    public async ValueTask<IReadOnlyList<LatencyPair>> Handle(GetLatencyBudget query, CancellationToken cancellationToken)
    {
        var (room, _) = await dbFactory.MemberOfRoomAsync(owners, query.RoomId, query.Actor, cancellationToken);
        var view = await grains.GetGrain<IRoomGrain>(query.RoomId).GetViewAsync();
        var ids = view.Roster.Select(p => p.PersonId).ToList();

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The site someone plays from: their ensemble membership's school for a rehearsal, else their own.
        var ensembleSites = room.Kind == OwnerKind.Ensemble
            ? await db.EnsembleMembers.Where(m => m.EnsembleId == room.OwnerId && ids.Contains(m.PersonId) && m.InstitutionId != null)
                .ToDictionaryAsync(m => m.PersonId, m => m.InstitutionId!.Value, cancellationToken)
            : [];
        var ownSites = await db.Users.Where(u => ids.Contains(u.Id) && u.InstitutionId != null)
            .ToDictionaryAsync(u => u.Id, u => u.InstitutionId!.Value, cancellationToken);
        var siteIds = ensembleSites.Values.Concat(ownSites.Values).Distinct().ToList();
        var sites = await db.Institutions.Where(i => siteIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, cancellationToken);

        Institutions.Institution? SiteOf(string personId) =>
            ensembleSites.TryGetValue(personId, out var id) || ownSites.TryGetValue(personId, out id) ? sites.GetValueOrDefault(id) : null;

        var pairs = new List<LatencyPair>();
        for (var i = 0; i < view.Roster.Count; i++)
        {
            for (var j = i + 1; j < view.Roster.Count; j++)
            {
                var (a, b) = (view.Roster[i], view.Roster[j]);
                var (siteA, siteB) = (SiteOf(a.PersonId), SiteOf(b.PersonId));
                double? distance = siteA is not null && siteB is not null ? siteA.DistanceKmTo(siteB) : null;
                double? measured = a.OneWayMs is { } ma && b.OneWayMs is { } mb ? ma + mb + PeriodMs : null;
                pairs.Add(new LatencyPair(a.DisplayName, b.DisplayName, siteA?.Town, siteB?.Town, distance, distance * FibreMsPerKm * RouteFactor, measured));
            }
        }
        return pairs;
    }
}
