using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Hosting;
using Orleans.Utilities;

namespace Loki.Learning.Web.Features.Rooms;

/// The shell around a <see cref="LiveRoom"/>: loads its state, hands it each call, persists what it says changed,
/// posts its media commands, publishes its events (recordings and the audience stream react to them, off this grain's
/// turn) and tells the watching pages.
/// Placed on the node that first calls it — the host's, who opens the room — and kept there; after a node is
/// lost it comes back on the node of whoever calls next, with its durable part (<see cref="RoomState"/>) restored.
[GrainType("room")]
[Orleans.Placement.PreferLocalPlacement]
public sealed class RoomGrain(
    RoomMedia media, RoomEventSink events, TimeProvider clock, ILogger<RoomGrain> logger,
    [PersistentState("room", RoomStateStorage.Name)] IPersistentState<RoomState> saved) : Grain, IRoomGrain
{
    private readonly ObserverManager<IRoomObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private LiveRoom _room = null!;
    private long _version;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Views are numbered on from the activation time, so a page keeps taking them after the room moved here.
        _version = (long)(NowEpochMs() * 1000);
        _room = new LiveRoom(this.GetPrimaryKey(), saved.State);
        // A take still running in the restored state was being recorded by a node that is gone: it ends here, and what
        // reached the disk is kept by whoever records.
        await ApplyAsync(_room.CutOffTake(), notify: false);
        await ApplyAsync(_room.Resume());
        // Who closed their tab leaves the roster; an empty room's beat stops (LiveRoom.SweepAbsent).
        this.RegisterGrainTimer(SweepAbsentAsync, SweepPeriod, SweepPeriod);
        if (_room.Open)
        {
            logger.LogInformation("Room {Room} resumed on this node at beat version {Version}", _room.MediaRoom, _room.Beat.Version);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_room.Recording is { } recording)
        {
            // Leaving in order (shutdown, rebalancing): the take ends here and is stored complete (the event sink
            // outlives the silo on shutdown).
            await ApplyAsync(_room.StopTake(recording.RecordingId), notify: false);
        }
        if (_room.Open)
        {
            media.MoveAway(_room.MediaRoom);
        }
    }

    public Task<bool> IsRecordingAsync(Guid recordingId) => Task.FromResult(_room.Recording?.RecordingId == recordingId);

    public Task<MediaEndpoint> GetMediaEndpointAsync() => Task.FromResult(media.Endpoint);

    public Task<RoomView> GetViewAsync() => Task.FromResult(_room.View(_version));

    public Task OpenAsync(RoomDescription description, string hostId) => ApplyAsync(_room.OpenRoom(description, NowEpochMs()));

    public Task CloseAsync(string hostId) => ApplyAsync(_room.Close(NowEpochMs()));

    public async Task<JoinGrant> JoinAsync(RoomMember member)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var outcome = _room.Join(member, now, out var code, out var nonce);
        return await ApplyAsync(outcome) is { } refusal
            ? new JoinGrant(refusal)
            : new JoinGrant(null, code, now + LiveRoom.CodeLifetime, nonce, media.Endpoint);
    }

    public Task LeaveAsync(string personId) => ApplyAsync(_room.Leave(personId, clock.GetUtcNow().UtcDateTime, NowEpochMs()));

    public Task<string?> HeartbeatAsync(string personId) => ApplyAsync(_room.Seen(personId, clock.GetUtcNow().UtcDateTime));

    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(5);

    private Task SweepAbsentAsync(CancellationToken cancellationToken) =>
        ApplyAsync(_room.SweepAbsent(clock.GetUtcNow().UtcDateTime, NowEpochMs()));

    public async Task<CodeRedemption> RedeemJackTripCodeAsync(string code)
    {
        await ApplyAsync(_room.RedeemJackTripCode(code, clock.GetUtcNow().UtcDateTime, out var redemption));
        return redemption;
    }

    public async Task<BrowserAudioAdmission> AdmitBrowserAudioAsync(string personId, string nonce)
    {
        var outcome = _room.AdmitBrowserAudio(personId, nonce, clock.GetUtcNow().UtcDateTime, out var clientName);
        return await ApplyAsync(outcome) is { } refusal
            ? new BrowserAudioAdmission(refusal)
            : new BrowserAudioAdmission(null, _room.MediaRoom, clientName, media.Endpoint.Node);
    }

    public Task MediaAdmittedAsync(string code, int mediaId) => ApplyAsync(_room.MediaAdmitted(code, mediaId));

    public Task MediaJoinedAsync(string code, int mediaId, int channels) => ApplyAsync(_room.MediaJoined(code, mediaId, channels));

    public Task MediaLeftAsync(int mediaId) => ApplyAsync(_room.MediaLeft(mediaId));

    public Task MediaStatisticsAsync(int mediaId, double? oneWayMs, double jitterMs, long datagramsReceived) =>
        ApplyAsync(_room.MediaStatistics(mediaId, oneWayMs, jitterMs));

    public Task<IReadOnlyDictionary<string, float>> GetLevelsAsync()
    {
        // Read here, on the node whose engine carries this room's audio, for this room's own participants only.
        var levels = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var (personId, mediaId) in _room.MediaOf())
        {
            if (media.TryGetInputLevel(mediaId, out var peak, out _))
            {
                levels[personId] = Math.Max(peak, levels.GetValueOrDefault(personId));
            }
        }
        return Task.FromResult<IReadOnlyDictionary<string, float>>(levels);
    }

    public Task<string?> RaiseHandAsync(string personId, bool raised) => ApplyAsync(_room.RaiseHand(personId, raised));

    public Task<string?> SetRecordingConsentAsync(string personId, bool consent) => ApplyAsync(_room.SetRecordingConsent(personId, consent));

    public Task<string?> MuteAsync(string hostId, string personId, bool muted) => ApplyAsync(_room.Mute(hostId, personId, muted));

    public Task<string?> SetStageAsync(string hostId, string personId, bool onStage) => ApplyAsync(_room.SetStage(hostId, personId, onStage));

    public Task<string?> SetGainAsync(string hostId, string personId, float gain) => ApplyAsync(_room.SetGain(hostId, personId, gain));

    public Task<string?> LockAsync(string hostId, bool locked) => ApplyAsync(_room.Lock(hostId, locked));

    public Task<string?> RemoveAsync(string hostId, string personId) => ApplyAsync(_room.Remove(hostId, personId));

    public Task<string?> SetLinkPolicyAsync(string hostId, Media.Jitter.JitterPolicy policy) => ApplyAsync(_room.SetLinkPolicy(hostId, policy));

    public Task<BeatTimeline> GetBeatAsync() => Task.FromResult(_room.Beat);

    public async Task<(string? RefusalKey, BeatTimeline Beat)> ChangeBeatAsync(BeatChange change) =>
        (await ApplyAsync(_room.ChangeBeat(change, NowEpochMs())), _room.Beat);

    public Task SelectScoreAsync(ScoreChoice? score) => ApplyAsync(_room.SelectScore(score, NowEpochMs()));

    public Task TurnScorePageAsync(int page) => ApplyAsync(_room.TurnScorePage(page));

    public Task<string?> SetServerClickAsync(string personId, bool enabled) => ApplyAsync(_room.SetServerClick(personId, enabled));

    public Task<PersonalMix> GetMyMixAsync(string personId) => Task.FromResult(_room.MixOf(personId));

    public Task<string?> SetMyGainAsync(string listenerId, string sourceId, float gain) => ApplyAsync(_room.SetMyGain(listenerId, sourceId, gain));

    public Task<string?> SetSelfMonitorAsync(string personId, bool enabled) => ApplyAsync(_room.SetSelfMonitor(personId, enabled));

    public Task<string?> SetChannelMixAsync(string hostId, string personId, int channel, float pan, float gain) =>
        ApplyAsync(_room.SetChannelMix(hostId, personId, channel, pan, gain));

    public Task<string?> ResetChannelMixAsync(string hostId, string personId) => ApplyAsync(_room.ResetChannelMix(hostId, personId));

    public Task<string?> SetPassthroughAsync(string hostId, string listenerId, string? sourceId) =>
        ApplyAsync(_room.SetPassthrough(hostId, listenerId, sourceId));

    public Task<string?> StartRecordingAsync(Guid recordingId, string folder) =>
        ApplyAsync(_room.StartTake(recordingId, folder, clock.GetUtcNow().UtcDateTime));

    public Task<string?> StopRecordingAsync(Guid recordingId) => ApplyAsync(_room.StopTake(recordingId));

    public Task ReportTakeProblemAsync(Guid recordingId, string problemKey) => ApplyAsync(_room.TakeProblem(recordingId, problemKey));

    public Task ReportTakeWritingAsync(Guid recordingId) => ApplyAsync(_room.TakeWriting(recordingId));

    public Task<string?> DropMarkerAsync(string name) => ApplyAsync(_room.DropMarker(name));

    public Task<string?> AllowScreenShareAsync(string hostId, string personId, bool allowed) => ApplyAsync(_room.AllowScreenShare(hostId, personId, allowed));

    public Task<string?> PresentSlidesAsync(string hostId, ScoreChoice? slides) => ApplyAsync(_room.PresentSlides(hostId, slides));

    public Task<string?> TurnSlideAsync(string hostId, int page) => ApplyAsync(_room.TurnSlide(hostId, page));

    public Task SubscribeAsync(IRoomObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IRoomObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// Carries out what the model decided, in this order: the engine's commands (never blocking), the durable state,
    /// the events (queued for the subscribers, never awaited here), the watchers. Returns the refusal's key, or null.
    private async Task<string?> ApplyAsync(RoomOutcome outcome, bool notify = true)
    {
        foreach (var command in outcome.Media)
        {
            if (command is Media.Engine.OpenRoom)
            {
                // The node keeps the rooms open here (a drain moves them, the hub admits only them).
                media.Opened(_room.MediaRoom);
            }
            else
            {
                media.Post(command);
            }
        }
        if (outcome.Persist)
        {
            saved.State = _room.ToState();
            await saved.WriteStateAsync();
        }
        events.Publish(outcome.Events);
        if (outcome.Changed && notify)
        {
            _version++;
            var view = _room.View(_version);
            await _observers.Notify(observer => observer.RoomChangedAsync(view));
        }
        return outcome.Refusal.Key();
    }

    private double NowEpochMs() => (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
}
