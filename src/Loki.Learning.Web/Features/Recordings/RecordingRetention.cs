using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Recordings;

/// Deletes takes older than their owner's retention period (<see cref="RecordingPolicy"/>; the configured default,
/// <see cref="RecordingOptions.DefaultRetentionDays"/>, unless a teacher set another), files first and then rows (comments, tracks and timeline go with them). Runs at start and every hour
/// on the injected clock. A take still recording is never deleted.
public sealed class RecordingRetention(IDbContextFactory<LokiDbContext> dbFactory, RecordingStorage storage, TimeProvider clock, IOptions<RecordingOptions> options,
    ILogger<RecordingRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Recording retention sweep failed; retried in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// Returns how many takes were deleted.
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var policies = await db.RecordingPolicies.ToDictionaryAsync(p => p.OwnerId, p => p.RetentionDays, cancellationToken);
        var defaultDays = options.Value.DefaultRetentionDays;
        // The shortest period anywhere, the default included (owners without a policy of their own keep to it).
        var oldest = now.AddDays(-policies.Values.Append(defaultDays).Min());
        var candidates = await db.Recordings
            .Where(r => r.Status != RecordingStatus.Recording && r.StartedUtc < oldest)
            .ToListAsync(cancellationToken);
        var expired = candidates
            .Where(r => (r.EndedUtc ?? r.StartedUtc).AddDays(policies.GetValueOrDefault(r.OwnerId, defaultDays)) <= now)
            .ToList();
        foreach (var recording in expired)
        {
            storage.Delete(recording.Folder);
            db.Recordings.Remove(recording);
        }
        await db.SaveChangesAsync(cancellationToken);
        if (expired.Count > 0)
        {
            logger.LogInformation("Deleted {Count} recordings past their retention period", expired.Count);
        }
        return expired.Count;
    }
}
