using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Recordings;

/// <param name="TimeZoneId">The zone of the meeting it was recorded in: its times are shown there.</param>
public sealed record RecordingSummary(Guid Id, string Title, RecordingStatus Status, DateTime StartedUtc, double DurationSeconds, int Tracks, string TimeZoneId);

/// <param name="CanLead">The actor sets how long recordings are kept.</param>
public sealed record RecordingShelf(bool CanLead, int RetentionDays, IReadOnlyList<RecordingSummary> Recordings);

/// A course's, ensemble's or workshop's recordings, newest first, for its members.
public sealed record ListRecordings(Actor Actor, Guid OwnerId) : IQuery<RecordingShelf>;

public sealed class ListRecordingsHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IOptions<RecordingOptions> options)
    : IQueryHandler<ListRecordings, RecordingShelf>
{
    public async ValueTask<RecordingShelf> Handle(ListRecordings query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (_, role) = await owners.EnsureMayViewAsync(db, query.OwnerId, query.Actor, cancellationToken);
        var days = await db.RecordingPolicies.Where(p => p.OwnerId == query.OwnerId).Select(p => (int?)p.RetentionDays).SingleOrDefaultAsync(cancellationToken)
            ?? options.Value.DefaultRetentionDays;
        var zoneOf = await db.ZonesAsync(owners, query.OwnerId, cancellationToken);
        var recordings = await db.Recordings.Where(r => r.OwnerId == query.OwnerId)
            .Select(r => new { r.Id, r.Title, r.Status, r.StartedUtc, r.DurationSeconds, Tracks = r.Tracks.Count, r.RoomId })
            .ToListAsync(cancellationToken);
        return new RecordingShelf(role == OwnerRole.Leader, days, recordings
            .OrderByDescending(r => r.StartedUtc)
            .Select(r => new RecordingSummary(r.Id, r.Title, r.Status, r.StartedUtc, r.DurationSeconds, r.Tracks, zoneOf(r.RoomId)))
            .ToList());
    }
}

/// A leader sets how many days the owner's recordings are kept (1–3650); the retention sweep deletes older ones.
public sealed record SetRecordingRetention(Actor Actor, Guid OwnerId, int Days) : ICommand;

public sealed class SetRecordingRetentionHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : ICommandHandler<SetRecordingRetention>
{
    public const int MaxDays = 3650;

    public async ValueTask<Unit> Handle(SetRecordingRetention command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (_, role) = await owners.EnsureMayViewAsync(db, command.OwnerId, command.Actor, cancellationToken);
        if (role != OwnerRole.Leader)
        {
            throw Refusal.Forbidden("Recording.Refusal.NotLeader");
        }
        if (command.Days is < 1 or > MaxDays)
        {
            throw Refusal.Invalid("Recording.Refusal.Retention", nameof(command.Days));
        }
        var policy = await db.RecordingPolicies.SingleOrDefaultAsync(p => p.OwnerId == command.OwnerId, cancellationToken);
        if (policy is null)
        {
            db.RecordingPolicies.Add(new RecordingPolicy { OwnerId = command.OwnerId, RetentionDays = command.Days });
        }
        else
        {
            policy.RetentionDays = command.Days;
        }
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
