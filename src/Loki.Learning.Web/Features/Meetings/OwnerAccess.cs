using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Features.Meetings;

/// What a person is to a course, ensemble or workshop, from least to most. Each role may do everything the roles
/// before it may: a listener enters the live room to listen, a performer also plays there, a member also reads the
/// owner's scores and recordings and comments on them, a leader also schedules, hosts, uploads and deletes.
public enum OwnerRole
{
    Listener,
    Performer,
    Member,
    Leader,
}

/// A course, ensemble or workshop as meetings, rooms and calendars show it.
public sealed record MeetingOwner(OwnerKind Kind, Guid Id, string Title, string TimeZoneId);

/// What the actor may do in an owner's things. <see cref="Role"/> is null for a stranger; an admin is a leader
/// everywhere, and <see cref="AdminVisit"/> says that only being an admin made them one (rooms show it to everyone).
public sealed record OwnerAccess(MeetingOwner Owner, OwnerRole? Role, bool AdminVisit)
{
    public bool MayEnter => Role is not null;

    public bool MayPlay => Role >= OwnerRole.Performer;

    public bool MayView => Role >= OwnerRole.Member;

    public bool MayManage => Role == OwnerRole.Leader;
}

/// One kind of owner, registered by its own feature: where its owners are and who belongs to them. The policy
/// (<see cref="MeetingOwners"/>) asks these, so nothing that uses owners points back at courses, ensembles or workshops.
public interface IMeetingOwnerKind
{
    OwnerKind Kind { get; }

    Task<MeetingOwner?> FindAsync(LokiDbContext db, Guid ownerId, CancellationToken cancellationToken);

    /// The role the person's own membership gives them (teacher, pupil, enrolled, organizer, registered), or null.
    Task<OwnerRole?> MembershipAsync(LokiDbContext db, Guid ownerId, string personId, CancellationToken cancellationToken);

    /// The owners this person belongs to in any role, as a query to compose with (calendars).
    IQueryable<Guid> OwnersOf(LokiDbContext db, string personId);

    /// Every owner of this kind as a query to compose with, and whether each one's calendar is public.
    IQueryable<OwnerRow> Owners(LokiDbContext db);
}

/// An owner as a row of a composed query (init properties, so that the database can filter and join on them).
public sealed record OwnerRow
{
    public Guid Id { get; init; }

    public required string Title { get; init; }

    public bool PublicCalendar { get; init; }
}

/// The one access policy: "what may this person do in this owner's things", for rooms, scores, recordings and
/// calendars alike. Membership is read from the database on every call, so someone who leaves loses access at once.
public sealed class MeetingOwners(IEnumerable<IMeetingOwnerKind> kinds)
{
    private readonly IReadOnlyList<IMeetingOwnerKind> _kinds = [.. kinds.OrderBy(k => k.Kind)];

    public IMeetingOwnerKind this[OwnerKind kind] => _kinds.Single(k => k.Kind == kind);

    public IReadOnlyList<IMeetingOwnerKind> Kinds => _kinds;

    /// The owner with this id, of whichever kind it is, or null.
    public async Task<MeetingOwner?> FindAsync(LokiDbContext db, Guid ownerId, CancellationToken cancellationToken)
    {
        foreach (var kind in _kinds)
        {
            if (await kind.FindAsync(db, ownerId, cancellationToken) is { } owner)
            {
                return owner;
            }
        }
        return null;
    }

    /// The actor's access to an owner, or null when there is no such owner.
    public async Task<OwnerAccess?> AccessAsync(LokiDbContext db, Guid ownerId, Actor actor, CancellationToken cancellationToken) =>
        await FindAsync(db, ownerId, cancellationToken) is { } owner ? await AccessAsync(db, owner, actor, cancellationToken) : null;

    /// The actor's role for an owner whose things (scores, recordings) they may see; refuses a missing owner or a stranger.
    public async Task<(OwnerKind Kind, OwnerRole Role)> EnsureMayViewAsync(LokiDbContext db, Guid ownerId, Actor actor, CancellationToken cancellationToken)
    {
        var access = await AccessAsync(db, ownerId, actor, cancellationToken) ?? throw Refusal.NotFound("Scores.Refusal.OwnerNotFound");
        return access is { MayView: true, Role: { } role } ? (access.Owner.Kind, role) : throw Refusal.Forbidden("Scores.Refusal.NotMember");
    }

    public async Task<OwnerAccess> AccessAsync(LokiDbContext db, MeetingOwner owner, Actor actor, CancellationToken cancellationToken)
    {
        var membership = await this[owner.Kind].MembershipAsync(db, owner.Id, actor.PersonId, cancellationToken);
        return actor.IsAdmin
            ? new OwnerAccess(owner, OwnerRole.Leader, AdminVisit: membership is null)
            : new OwnerAccess(owner, membership, AdminVisit: false);
    }

    /// The actor's role for an owner already known to exist (a list's rows), without reading the owner again.
    public async Task<OwnerRole?> RoleAsync(LokiDbContext db, OwnerKind kind, Guid ownerId, Actor actor, CancellationToken cancellationToken) =>
        actor.IsAdmin ? OwnerRole.Leader : await this[kind].MembershipAsync(db, ownerId, actor.PersonId, cancellationToken);
}
