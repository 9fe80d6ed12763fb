using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// <param name="RecordingConsent">Consent on file for recording (a guardian's for a pupil, their own for an adult).</param>
public sealed record MemberSummary(string PersonId, string DisplayName, EnsembleRole Role, string? Instrument, string? Institution, string? Town, bool RecordingConsent = false);

public sealed record PendingJoinRequest(Guid Id, string DisplayName, string? Instrument, string? Institution, bool GuardianConsentForRecording, DateTime RequestedUtc);

/// A class code as its ensemble's teachers see it: its school, whether it still works, and who joined through it.
/// <param name="Joined">Display names of the pupils approved through the code, in the order they asked.</param>
public sealed record ClassCodeSummary(string Code, string? Institution, DateTime IssuedUtc, DateTime ExpiresUtc, ClassCodeState State, IReadOnlyList<string> Joined);

public sealed record EnsembleDetails(
    Guid Id,
    string Name,
    string Description,
    string TimeZoneId,
    bool PublicCalendar,
    bool IsTeacher,
    IReadOnlyList<MemberSummary> Members,
    IReadOnlyList<MeetingSummary> Rehearsals,
    IReadOnlyList<PendingJoinRequest> PendingRequests,
    IReadOnlyList<ClassCodeSummary> ClassCodes);

/// Members see the ensemble; only its teachers see join requests and class codes.
public sealed record GetEnsemble(Actor Actor, Guid EnsembleId) : IQuery<EnsembleDetails>;

public sealed class GetEnsembleHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<GetEnsemble, EnsembleDetails>
{
    /// The newest codes the page lists; older ones have long expired and say nothing new.
    public const int ListedCodes = 20;

    public async ValueTask<EnsembleDetails> Handle(GetEnsemble query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ensemble = await db.Ensembles.AsNoTracking().SingleOrDefaultAsync(e => e.Id == query.EnsembleId, cancellationToken)
            ?? throw Refusal.NotFound("Refusal.EnsembleNotFound");
        var role = await db.RoleInAsync(ensemble.Id, query.Actor, cancellationToken)
            ?? throw Refusal.Forbidden("Refusal.NotEnsembleMember");
        var isTeacher = role == EnsembleRole.Teacher;

        var members = await (
            from m in db.EnsembleMembers
            where m.EnsembleId == ensemble.Id
            join i in db.Institutions on m.InstitutionId equals i.Id into sites
            from site in sites.DefaultIfEmpty()
            orderby m.Role, m.Person!.DisplayName
            select new MemberSummary(m.PersonId, m.Person!.DisplayName, m.Role, m.Instrument, site == null ? null : site.Name, site == null ? null : site.Town, m.Person.RecordingConsent))
            .ToListAsync(cancellationToken);
        var rehearsals = await db.Meetings.Where(r => r.OwnerId == ensemble.Id)
            .OrderBy(r => r.StartsUtc)
            .Select(r => new MeetingSummary(r.Id, r.Title, r.StartsUtc, r.EndsUtc, r.RoomId))
            .ToListAsync(cancellationToken);

        IReadOnlyList<PendingJoinRequest> pending = [];
        IReadOnlyList<ClassCodeSummary> codes = [];
        if (isTeacher)
        {
            pending = await (
                from r in db.JoinRequests
                where r.EnsembleId == ensemble.Id && r.Status == JoinRequestStatus.Pending
                join i in db.Institutions on r.InstitutionId equals i.Id into sites
                from site in sites.DefaultIfEmpty()
                orderby r.RequestedUtc
                select new PendingJoinRequest(r.Id, r.DisplayName, r.Instrument, site == null ? null : site.Name, r.GuardianConsentForRecording, r.RequestedUtc))
                .ToListAsync(cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var rows = await (
                from c in db.ClassCodes
                where c.EnsembleId == ensemble.Id
                join i in db.Institutions on c.InstitutionId equals i.Id into sites
                from site in sites.DefaultIfEmpty()
                orderby c.IssuedUtc descending
                select new { Code = c, School = site == null ? null : site.Name })
                .AsNoTracking()
                .Take(ListedCodes)
                .ToListAsync(cancellationToken);
            var listed = rows.Select(r => r.Code.Code).ToList();
            var joined = await (
                from r in db.JoinRequests
                where r.EnsembleId == ensemble.Id && r.Status == JoinRequestStatus.Approved && listed.Contains(r.Code)
                join p in db.Users on r.PersonId equals p.Id
                orderby r.RequestedUtc, p.DisplayName
                select new { r.Code, p.DisplayName })
                .ToListAsync(cancellationToken);
            codes = rows
                .Select(r => new ClassCodeSummary(r.Code.Code, r.School, r.Code.IssuedUtc, r.Code.ExpiresUtc, ClassCodeRules.StateOf(r.Code, now),
                    joined.Where(j => j.Code == r.Code.Code).Select(j => j.DisplayName).ToList()))
                .ToList();
        }

        return new EnsembleDetails(ensemble.Id, ensemble.Name, ensemble.Description, ensemble.TimeZoneId, ensemble.PublicCalendar,
            isTeacher, members, rehearsals, pending, codes);
    }
}
