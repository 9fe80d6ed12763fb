using System.Globalization;
using System.Text;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Orleans.Utilities;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed class EnsembleGrain(IDbContextFactory<LokiDbContext> dbFactory, IServiceScopeFactory scopes, TimeProvider clock, ILogger<EnsembleGrain> logger)
    : Grain, IEnsembleGrain
{
    /// Open requests per code; a classroom is rarely bigger, and it stops a leaked code from flooding a teacher.
    public const int MaxPendingPerCode = 60;

    private readonly ObserverManager<IEnsembleObserver> _watchers = new(TimeSpan.FromMinutes(2), logger);

    public async Task<JoinRequestOutcome> RequestToJoinAsync(JoinApplication application)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var code = await db.ClassCodes.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Code == application.Code && c.EnsembleId == this.GetPrimaryKey());
        var school = code?.InstitutionId is { } schoolId
            ? await db.Institutions.AsNoTracking().Where(i => i.Id == schoolId).Select(i => new { i.Name, i.Kind }).SingleOrDefaultAsync()
            : null;
        if (ClassCodeRules.RefusalForJoining(code, school?.Kind, now) is { } refusal)
        {
            return new JoinRequestOutcome(refusal);
        }
        var pending = await db.JoinRequests.CountAsync(r => r.Code == code!.Code && r.Status == JoinRequestStatus.Pending);
        if (pending >= MaxPendingPerCode)
        {
            return new JoinRequestOutcome("Refusal.TooManyPendingRequests");
        }
        var ensembleName = await db.Ensembles.Where(e => e.Id == code!.EnsembleId).Select(e => e.Name).SingleAsync();
        var request = new JoinRequest
        {
            EnsembleId = code!.EnsembleId,
            Code = code.Code,
            DisplayName = application.DisplayName.Trim(),
            Instrument = string.IsNullOrWhiteSpace(application.Instrument) ? null : application.Instrument.Trim(),
            InstitutionId = code.InstitutionId,
            GuardianConsentForRecording = application.GuardianConsentForRecording,
            RequestedUtc = now,
        };
        db.JoinRequests.Add(request);
        await db.SaveChangesAsync();
        await TellWatchersAsync();
        return new JoinRequestOutcome(null, request.Id, ensembleName, school!.Name);
    }

    public async Task<string?> RevokeClassCodeAsync(string code, string teacherId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var classCode = await db.ClassCodes.SingleOrDefaultAsync(c => c.Code == code && c.EnsembleId == this.GetPrimaryKey());
        if (classCode is null)
        {
            return "Refusal.ClassCodeNotFound";
        }
        if (!classCode.Revoked)
        {
            classCode.Revoked = true;
            await db.SaveChangesAsync();
            logger.LogInformation("Class code of ensemble {Ensemble} revoked by {Teacher}", classCode.EnsembleId, teacherId);
            await TellWatchersAsync();
        }
        return null;
    }

    public Task ClassCodesChangedAsync() => TellWatchersAsync();

    public Task<bool> SubscribeAsync(IEnsembleObserver observer)
    {
        var known = _watchers.Observers.ContainsKey(observer);
        _watchers.Subscribe(observer, observer);
        return Task.FromResult(!known);
    }

    public Task UnsubscribeAsync(IEnsembleObserver observer)
    {
        _watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private Task TellWatchersAsync() => _watchers.Notify(watcher => watcher.EnsembleChangedAsync());

    public async Task<ApprovalOutcome> ApproveJoinRequestAsync(Guid requestId, string teacherId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LokiDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();

        var request = await db.JoinRequests.SingleOrDefaultAsync(r => r.Id == requestId && r.EnsembleId == this.GetPrimaryKey());
        if (request is null)
        {
            return new ApprovalOutcome("Refusal.JoinRequestNotFound");
        }
        if (request.Status != JoinRequestStatus.Pending)
        {
            return new ApprovalOutcome("Refusal.JoinRequestDecided");
        }

        // The account, the membership and the decision are written together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var password = SecretTokens.NewPassphrase();
        var pupil = new Person
        {
            UserName = await FreeUserNameAsync(db, request.DisplayName),
            DisplayName = request.DisplayName,
            IsPupil = true,
            RecordingConsent = request.GuardianConsentForRecording,
            InstitutionId = request.InstitutionId,
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(pupil, password);
        if (!created.Succeeded)
        {
            return new ApprovalOutcome("Refusal.AccountNotCreated");
        }
        await users.AddToRoleAsync(pupil, Roles.Student);

        db.EnsembleMembers.Add(new EnsembleMember
        {
            EnsembleId = request.EnsembleId,
            PersonId = pupil.Id,
            Role = EnsembleRole.Pupil,
            InstitutionId = request.InstitutionId,
            Instrument = request.Instrument,
        });
        request.Status = JoinRequestStatus.Approved;
        request.PersonId = pupil.Id;
        request.DecidedById = teacherId;
        request.DecidedUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        await TellWatchersAsync();
        return new ApprovalOutcome(null, pupil.DisplayName, pupil.UserName, password);
    }

    public async Task<ApprovalOutcome> RejectJoinRequestAsync(Guid requestId, string teacherId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var request = await db.JoinRequests.SingleOrDefaultAsync(r => r.Id == requestId && r.EnsembleId == this.GetPrimaryKey());
        if (request is null)
        {
            return new ApprovalOutcome("Refusal.JoinRequestNotFound");
        }
        if (request.Status != JoinRequestStatus.Pending)
        {
            return new ApprovalOutcome("Refusal.JoinRequestDecided");
        }
        request.Status = JoinRequestStatus.Rejected;
        request.DecidedById = teacherId;
        request.DecidedUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        await TellWatchersAsync();
        return new ApprovalOutcome(null, request.DisplayName);
    }

    /// "Åsa Öberg" → "asa.oberg-4821": ASCII so it can be typed on any keyboard, digits so it is unique.
    private static async Task<string> FreeUserNameAsync(LokiDbContext db, string displayName)
    {
        var stem = new StringBuilder();
        foreach (var c in displayName.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                stem.Append(c);
            }
            else if (c is 'ø')
            {
                stem.Append('o');
            }
            else if (c is 'æ')
            {
                stem.Append("ae");
            }
            else if (char.IsWhiteSpace(c) && stem.Length > 0 && stem[^1] != '.')
            {
                stem.Append('.');
            }
        }
        var baseName = stem.ToString().Trim('.');
        if (baseName.Length == 0)
        {
            baseName = "pupil";
        }
        baseName = baseName[..Math.Min(baseName.Length, 20)];
        // Four digits are easy to read out, but a common name can use up all 9000 of them: after a few taken ones the
        // suffix becomes eight random letters and digits (about 40 bits), which do not run out.
        for (var attempt = 0; attempt < ShortSuffixAttempts + LongSuffixAttempts; attempt++)
        {
            var suffix = attempt < ShortSuffixAttempts
                ? Random.Shared.Next(1000, 10000).ToString(CultureInfo.InvariantCulture)
                : SecretTokens.NewReadable(8).ToLowerInvariant();
            var candidate = baseName + "-" + suffix;
            var normalized = candidate.ToUpperInvariant();
            if (!await db.Users.AnyAsync(u => u.NormalizedUserName == normalized))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"No free username for '{baseName}' after {ShortSuffixAttempts + LongSuffixAttempts} attempts.");
    }

    private const int ShortSuffixAttempts = 20;

    private const int LongSuffixAttempts = 5;
}
