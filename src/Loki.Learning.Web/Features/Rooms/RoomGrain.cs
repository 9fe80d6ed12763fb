using System.Security.Cryptography;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Recording;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Hosting;
using Orleans.Utilities;

namespace Loki.Learning.Web.Features.Rooms;

/// Placed on the node that first calls it — the host's, who opens the room — and kept there; after a node is
/// lost it comes back on the node of whoever calls next, with its durable part (<see cref="State"/>) restored.
[GrainType("room")]
[Orleans.Placement.PreferLocalPlacement]
public sealed class RoomGrain(
    RoomMedia media, TimeProvider clock, ILogger<RoomGrain> logger,
    [PersistentState("room", RoomStateStorage.Name)] IPersistentState<RoomGrain.State> saved) : Grain, IRoomGrain
{
    /// What must survive the room moving to another node: whether it is open, its beat, its score and the page
    /// shown, the take being recorded, and who had joined (so a locked room lets them back in). Their connections
    /// do not: participants reconnect and join again.
    [GenerateSerializer, Immutable, Alias("Loki.RoomGrain.State")]
    public sealed record State(
        [property: Id(0)] RoomDescription? Description = null,
        [property: Id(1)] bool Open = false,
        [property: Id(2)] bool Locked = false,
        [property: Id(3)] BeatTimeline? Beat = null,
        [property: Id(4)] ScoreChoice? Score = null,
        [property: Id(5)] int ScorePage = 1,
        [property: Id(6)] RoomRecordingState? Recording = null,
        [property: Id(7)] IReadOnlyList<string>? Members = null)
    {
        /// A room never opened: what the storage hands out before anything was written.
        public State() : this(null, false, false, null, null, 1, null, null)
        {
        }
    }

    /// A JackTrip code works once, within this time after joining.
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    /// The media engine mixes at most this many per room.
    public const int Capacity = 64;

    /// Rate of the engine's mix (the media engine runs at 48 kHz).
    private const int SampleRate = 48000;

    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string PersonId, DateTime ExpiresUtc)> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string PersonId, DateTime ExpiresUtc)> _audioNonces = new(StringComparer.Ordinal);
    private readonly ObserverManager<IRoomObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private RoomDescription? _description;
    private bool _open;
    private bool _locked;
    private long _version;
    private BeatTimeline _beat = BeatTimeline.Initial;
    private ScoreChoice? _score;
    private int _scorePage = 1;
    private RoomRecordingState? _recording;

    /// Everyone admitted since the room opened and not removed (ids only).
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    private string MediaRoom => this.GetPrimaryKey().ToString("N");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Views are numbered on from the activation time, so a page keeps taking them after the room moved here.
        _version = (long)(NowEpochMs() * 1000);
        var state = saved.State;
        _open = state.Open;
        _description = state.Description;
        _locked = state.Locked;
        _beat = state.Beat ?? BeatTimeline.Initial;
        _score = state.Score;
        _scorePage = state.ScorePage;
        _members.UnionWith(state.Members ?? []);
        if (state.Recording is { } cut)
        {
            // The node recording this take is gone; what reached the disk is kept. (Everything else is restored
            // first: the repair saves the state again.)
            await RepairTakeAsync(cut.RecordingId);
        }
        if (_open)
        {
            media.Opened(MediaRoom);
            PostClickTrack();
            logger.LogInformation("Room {Room} resumed on this node at beat version {Version}", MediaRoom, _beat.Version);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_recording is { } recording)
        {
            // Leaving in order (shutdown, rebalancing): the take ends here and is stored complete.
            _recording = null;
            await Recorders.StopAsync(recording.RecordingId);
            await SaveAsync();
        }
        if (_open)
        {
            media.MoveAway(MediaRoom);
        }
    }

    private Task SaveAsync()
    {
        saved.State = new State(_description, _open, _locked, _beat, _score, _scorePage, _recording, [.. _members]);
        return saved.WriteStateAsync();
    }

    private async Task RepairTakeAsync(Guid recordingId)
    {
        await ServiceProvider.GetRequiredService<RecordingRecovery>().RepairTakeAsync(recordingId);
        if (_recording?.RecordingId == recordingId)
        {
            _recording = null;
        }
        if (saved.State.Recording?.RecordingId == recordingId)
        {
            await SaveAsync();
        }
    }

    public async Task<bool> ReconcileRecordingAsync(Guid recordingId)
    {
        if (_recording?.RecordingId == recordingId && Recorders.IsRecording(recordingId))
        {
            return false;
        }
        await RepairTakeAsync(recordingId);
        return true;
    }

    public Task<MediaEndpoint> GetMediaEndpointAsync() => Task.FromResult(media.Endpoint);

    public Task<RoomView> GetViewAsync() => Task.FromResult(View());

    public async Task OpenAsync(RoomDescription description, string hostId)
    {
        _description = description;
        if (!_open)
        {
            _open = true;
            media.Opened(MediaRoom);
            PostClickTrack();
        }
        await SaveAsync();
        await ChangedAsync();
    }

    public async Task CloseAsync(string hostId)
    {
        if (_recording is { } recording)
        {
            await StopRecordingAsync(recording.RecordingId);
        }
        _open = false;
        _beat = _beat.Stop(NowEpochMs());
        _codes.Clear();
        _audioNonces.Clear();
        _participants.Clear();
        _members.Clear();
        media.Post(new CloseRoom(MediaRoom));
        await SaveAsync();
        await ChangedAsync();
    }

    public async Task<JoinGrant> JoinAsync(RoomMember member)
    {
        if (!_open)
        {
            return new JoinGrant("Refusal.RoomClosed");
        }
        var present = _participants.ContainsKey(member.PersonId);
        if (_locked && !present && !_members.Contains(member.PersonId) && member.Role != RoomRole.Host)
        {
            return new JoinGrant("Refusal.RoomLocked");
        }
        if (!present && _participants.Count >= Capacity)
        {
            return new JoinGrant("Refusal.RoomFull");
        }

        if (!_participants.TryGetValue(member.PersonId, out var participant))
        {
            participant = new Participant(member.PersonId, member.DisplayName, member.Role);
            _participants.Add(member.PersonId, participant);
        }
        participant.RecordingConsent = member.RecordingConsent;
        // One live code per person: a new join replaces a code not yet used.
        foreach (var stale in _codes.Where(c => c.Value.PersonId == member.PersonId).Select(c => c.Key).ToList())
        {
            _codes.Remove(stale);
        }
        ForgetNonces(member.PersonId);
        var now = clock.GetUtcNow().UtcDateTime;
        var code = JackTripCodes.Create(this.GetPrimaryKey());
        var expires = now + CodeLifetime;
        _codes[code] = (member.PersonId, expires);
        if (_members.Add(member.PersonId))
        {
            await SaveAsync();
        }
        // The browser audio token carries this nonce; the grain is the one place that can tell a first use from a replay.
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _audioNonces[nonce] = (member.PersonId, now + RoomAudioTokens.Lifetime);
        await ChangedAsync();
        return new JoinGrant(null, code, expires, nonce, media.Endpoint);
    }

    public Task LeaveAsync(string personId)
    {
        ForgetNonces(personId);
        if (_participants.Remove(personId, out var participant) && participant.MediaId is { } mediaId)
        {
            StopRecording(participant);
            media.Post(new RemoveParticipant(mediaId));
        }
        return ChangedAsync();
    }

    public Task<CodeRedemption> RedeemJackTripCodeAsync(string code)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (!_open || !_codes.Remove(code, out var entry) || entry.ExpiresUtc <= now || !_participants.TryGetValue(entry.PersonId, out var participant))
        {
            return Task.FromResult(new CodeRedemption(false));
        }
        participant.Code = code;
        participant.PendingVia = AudioVia.JackTrip;
        // Listeners hear the mix but send nothing into it.
        return Task.FromResult(new CodeRedemption(true, participant.PersonId, participant.Role == RoomRole.Listener ? 1 : 2));
    }

    public Task<BrowserAudioAdmission> AdmitBrowserAudioAsync(string personId, string nonce)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Consumed whatever happens next: a token is never tried twice.
        if (!_audioNonces.Remove(nonce, out var entry) || entry.PersonId != personId)
        {
            return Task.FromResult(new BrowserAudioAdmission("Refusal.AudioTokenUsed"));
        }
        if (entry.ExpiresUtc <= now)
        {
            return Task.FromResult(new BrowserAudioAdmission("Refusal.AudioTokenExpired"));
        }
        if (!_open)
        {
            return Task.FromResult(new BrowserAudioAdmission("Refusal.RoomClosed"));
        }
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return Task.FromResult(new BrowserAudioAdmission("Refusal.NotInRoom"));
        }
        var clientName = "browser-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        participant.Code = clientName;
        participant.PendingVia = AudioVia.Browser;
        return Task.FromResult(new BrowserAudioAdmission(null, MediaRoom, clientName, media.Endpoint.Node));
    }

    public Task MediaJoinedAsync(string code, int mediaId)
    {
        var participant = _participants.Values.FirstOrDefault(p => p.Code == code);
        if (participant is null)
        {
            // Left or removed between handshake and first datagram.
            media.Post(new RemoveParticipant(mediaId));
            return Task.CompletedTask;
        }
        if (participant.MediaId == mediaId)
        {
            // Told twice (the transport and the engine's event): the settings are already applied.
            return Task.CompletedTask;
        }
        participant.MediaId = mediaId;
        participant.Via = participant.PendingVia;
        if (participant.Muted || participant.Role == RoomRole.Listener)
        {
            media.Post(new SetMute(mediaId, true));
        }
        ApplyGain(participant);
        ApplyClick(participant);
        StartRecording(participant);
        return ChangedAsync();
    }

    public Task MediaLeftAsync(int mediaId)
    {
        var participant = _participants.Values.FirstOrDefault(p => p.MediaId == mediaId);
        if (participant is null)
        {
            return Task.CompletedTask;
        }
        StopRecording(participant);
        participant.MediaId = null;
        participant.Via = AudioVia.None;
        participant.OneWayMs = null;
        return ChangedAsync();
    }

    public Task MediaStatisticsAsync(int mediaId, double? oneWayMs, double jitterMs, long datagramsReceived)
    {
        var participant = _participants.Values.FirstOrDefault(p => p.MediaId == mediaId);
        if (participant is null)
        {
            return Task.CompletedTask;
        }
        participant.OneWayMs = oneWayMs;
        participant.JitterMs = jitterMs;
        if (participant.ServerClick)
        {
            ApplyClick(participant);
        }
        return ChangedAsync();
    }

    public async Task<string?> RaiseHandAsync(string personId, bool raised)
    {
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return "Refusal.NotInRoom";
        }
        participant.HandRaised = raised;
        await ChangedAsync();
        return null;
    }

    public Task<string?> MuteAsync(string hostId, string personId, bool muted) => AsHostAsync(hostId, personId, participant =>
    {
        participant.Muted = muted;
        if (participant.MediaId is { } mediaId)
        {
            media.Post(new SetMute(mediaId, muted || participant.Role == RoomRole.Listener));
        }
    });

    /// A workshop's host brings a listener on stage (a performer: their microphone is heard) or sends them back.
    public Task<string?> SetStageAsync(string hostId, string personId, bool onStage) => AsHostAsync(hostId, personId, participant =>
    {
        if (participant.Role == RoomRole.Host)
        {
            return;
        }
        participant.Role = onStage ? RoomRole.Performer : RoomRole.Listener;
        if (participant.MediaId is { } mediaId)
        {
            media.Post(new SetMute(mediaId, participant.Muted || participant.Role == RoomRole.Listener));
        }
    });

    public Task<string?> SetGainAsync(string hostId, string personId, float gain)
    {
        if (!float.IsFinite(gain) || gain < 0 || gain > 4)
        {
            return Task.FromResult<string?>("Validation.Gain");
        }
        return AsHostAsync(hostId, personId, participant =>
        {
            participant.Gain = gain;
            ApplyGain(participant);
        });
    }

    public async Task<string?> LockAsync(string hostId, bool locked)
    {
        if (!IsHost(hostId))
        {
            return "Refusal.NotRoomHost";
        }
        _locked = locked;
        await SaveAsync();
        await ChangedAsync();
        return null;
    }

    public async Task<string?> RemoveAsync(string hostId, string personId)
    {
        var refusal = await AsHostAsync(hostId, personId, Remove);
        if (refusal is null)
        {
            await SaveAsync();
        }
        return refusal;
    }

    private void Remove(Participant participant)
    {
        var personId = participant.PersonId;
        _participants.Remove(personId);
        _members.Remove(personId);
        foreach (var code in _codes.Where(c => c.Value.PersonId == personId).Select(c => c.Key).ToList())
        {
            _codes.Remove(code);
        }
        ForgetNonces(personId);
        if (participant.MediaId is { } mediaId)
        {
            StopRecording(participant);
            media.Post(new RemoveParticipant(mediaId));
        }
    }

    public Task<BeatTimeline> GetBeatAsync() => Task.FromResult(_beat);

    public async Task<(string? RefusalKey, BeatTimeline Beat)> ChangeBeatAsync(BeatChange change)
    {
        var beat = change.ApplyTo(_beat, NowEpochMs());
        if (!ReferenceEquals(beat, _beat))
        {
            _beat = beat;
            PostClickTrack();
            RecordBeat();
            await SaveAsync();
            await ChangedAsync();
        }
        return (null, _beat);
    }

    public async Task SelectScoreAsync(ScoreChoice? score)
    {
        _score = score;
        _scorePage = 1;
        _beat = _beat.FollowScore(score?.Measures ?? [], NowEpochMs());
        PostClickTrack();
        RecordBeat();
        if (_recording is { } recording)
        {
            Recorders.Score(recording.RecordingId, score?.Title);
        }
        await SaveAsync();
        await ChangedAsync();
    }

    public async Task TurnScorePageAsync(int page)
    {
        _scorePage = Math.Clamp(page, 1, Math.Max(1, _score?.PageCount ?? 1));
        await SaveAsync();
        await ChangedAsync();
    }

    public async Task<string?> SetServerClickAsync(string personId, bool enabled)
    {
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return "Refusal.NotInRoom";
        }
        participant.ServerClick = enabled;
        ApplyClick(participant);
        await ChangedAsync();
        return null;
    }

    /// The engine renders the click for those who asked, from a copy of the running timeline.
    private void PostClickTrack()
    {
        if (!_open)
        {
            return;
        }
        var track = _beat.Running
            ? new ClickTrack(_beat.Segments.Select(s => new ClickSegment(s.Beat, s.EpochMs, s.Bpm, s.BeatsPerBar)), SampleRate, _beat.Click.Volume)
            : null;
        media.Post(new SetClickTrack(MediaRoom, track));
    }

    /// Rendered early by the participant's measured one-way delay, so it reaches them about when the beat sounds elsewhere.
    private void ApplyClick(Participant participant)
    {
        if (participant.MediaId is { } mediaId)
        {
            media.Post(new SetClick(mediaId, participant.ServerClick ? 1f : 0f, participant.OneWayMs ?? 0));
        }
    }

    private double NowEpochMs() => (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;

    private RoomRecorders Recorders => ServiceProvider.GetRequiredService<RoomRecorders>();

    public async Task<string?> StartRecordingAsync(Guid recordingId, string folder)
    {
        if (!_open)
        {
            return "Refusal.RoomClosed";
        }
        if (_recording is not null)
        {
            return "Recording.Refusal.AlreadyRecording";
        }
        if (!Recorders.Start(recordingId, MediaRoom, folder, _beat, _score?.Title))
        {
            return "Recording.Refusal.NoAudio";
        }
        _recording = new RoomRecordingState(recordingId, clock.GetUtcNow().UtcDateTime, []);
        foreach (var participant in _participants.Values)
        {
            StartRecording(participant);
        }
        await SaveAsync();
        await ChangedAsync();
        return null;
    }

    public async Task<string?> StopRecordingAsync(Guid recordingId)
    {
        if (_recording?.RecordingId != recordingId)
        {
            return "Recording.Refusal.NotRecording";
        }
        _recording = null;
        await Recorders.StopAsync(recordingId);
        await SaveAsync();
        await ChangedAsync();
        return null;
    }

    public Task<string?> DropMarkerAsync(string name)
    {
        if (_recording is not { } recording)
        {
            return Task.FromResult<string?>("Recording.Refusal.NotRecording");
        }
        Recorders.Marker(recording.RecordingId, name);
        return Task.FromResult<string?>(null);
    }

    /// A connected participant with consent goes into the running take; nobody else is ever recorded.
    private void StartRecording(Participant participant)
    {
        if (_recording is { } recording && participant.RecordingConsent && participant.MediaId is { } mediaId && participant.Role != RoomRole.Listener)
        {
            Recorders.Include(recording.RecordingId, mediaId, participant.PersonId, participant.DisplayName, participant.OneWayMs, participant.JitterMs);
        }
    }

    private void StopRecording(Participant participant)
    {
        if (_recording is { } recording && participant.RecordingConsent && participant.MediaId is { } mediaId)
        {
            Recorders.Exclude(recording.RecordingId, mediaId, participant.DisplayName);
        }
    }

    private void RecordBeat()
    {
        if (_recording is { } recording)
        {
            Recorders.Beat(recording.RecordingId, _beat);
        }
    }

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

    private void ForgetNonces(string personId)
    {
        foreach (var stale in _audioNonces.Where(n => n.Value.PersonId == personId).Select(n => n.Key).ToList())
        {
            _audioNonces.Remove(stale);
        }
    }

    private bool IsHost(string personId) => _participants.TryGetValue(personId, out var p) && p.Role == RoomRole.Host;

    private async Task<string?> AsHostAsync(string hostId, string personId, Action<Participant> change)
    {
        if (!IsHost(hostId))
        {
            return "Refusal.NotRoomHost";
        }
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return "Refusal.NotInRoom";
        }
        change(participant);
        await ChangedAsync();
        return null;
    }

    /// Every mix that involves <paramref name="changed"/>, as listener or as source: the host's gain for the source
    /// times the listener's own choice for it.
    private void ApplyGain(Participant changed)
    {
        if (changed.MediaId is not { } changedId)
        {
            return;
        }
        foreach (var other in _participants.Values)
        {
            if (other.MediaId is not { } otherId || otherId == changedId)
            {
                continue;
            }
            media.Post(new SetGain(otherId, changedId, changed.Gain * other.MyGains.GetValueOrDefault(changed.PersonId, 1f)));
            media.Post(new SetGain(changedId, otherId, other.Gain * changed.MyGains.GetValueOrDefault(other.PersonId, 1f)));
        }
        media.Post(new SetSelfMonitor(changedId, changed.SelfMonitor));
    }

    public Task<PersonalMix> GetMyMixAsync(string personId) => Task.FromResult(
        _participants.TryGetValue(personId, out var me)
            ? new PersonalMix(new Dictionary<string, float>(me.MyGains), me.SelfMonitor)
            : new PersonalMix(new Dictionary<string, float>(), false));

    public Task<string?> SetMyGainAsync(string listenerId, string sourceId, float gain)
    {
        if (!float.IsFinite(gain) || gain < 0 || gain > 4)
        {
            return Task.FromResult<string?>("Validation.Gain");
        }
        if (!_participants.TryGetValue(listenerId, out var listener) || !_participants.TryGetValue(sourceId, out var source))
        {
            return Task.FromResult<string?>("Refusal.NotInRoom");
        }
        listener.MyGains[sourceId] = gain;
        if (listener.MediaId is { } listenerMedia && source.MediaId is { } sourceMedia)
        {
            media.Post(new SetGain(listenerMedia, sourceMedia, source.Gain * gain));
        }
        return Task.FromResult<string?>(null);
    }

    public Task<string?> SetSelfMonitorAsync(string personId, bool enabled)
    {
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return Task.FromResult<string?>("Refusal.NotInRoom");
        }
        participant.SelfMonitor = enabled;
        if (participant.MediaId is { } mediaId)
        {
            media.Post(new SetSelfMonitor(mediaId, enabled));
        }
        return Task.FromResult<string?>(null);
    }

    private RoomView View() => new(
        _description,
        _open,
        _locked,
        _participants.Values
            .OrderBy(p => p.Role)
            .ThenBy(p => p.DisplayName, StringComparer.CurrentCulture)
            .Select(p => new RosterEntry(p.PersonId, p.DisplayName, p.Role, p.HandRaised, p.Muted, p.Gain, p.MediaId is not null, p.OneWayMs, p.JitterMs, p.Via, p.MediaId, p.ServerClick))
            .ToList(),
        _version,
        _beat,
        _score,
        _scorePage,
        _recording is null ? null : _recording with
        {
            NotRecorded = _participants.Values.Where(p => !p.RecordingConsent).Select(p => p.DisplayName).Order(StringComparer.CurrentCulture).ToList(),
        });

    private Task ChangedAsync()
    {
        _version++;
        var view = View();
        return _observers.Notify(observer => observer.RoomChangedAsync(view));
    }

    private sealed class Participant(string personId, string displayName, RoomRole role)
    {
        public string PersonId { get; } = personId;

        public string DisplayName { get; } = displayName;

        /// Changes when a workshop's host brings a listener on stage or sends them back (<see cref="SetStageAsync"/>).
        public RoomRole Role { get; set; } = role;

        public bool HandRaised { get; set; }

        public bool Muted { get; set; }

        public float Gain { get; set; } = 1f;

        /// This participant's own volume for each other participant (person id → linear gain), on top of the host's.
        public Dictionary<string, float> MyGains { get; } = new(StringComparer.Ordinal);

        public bool SelfMonitor { get; set; }

        public string? Code { get; set; }

        public int? MediaId { get; set; }

        public AudioVia Via { get; set; }

        /// How the holder of <see cref="Code"/> connects, once their media arrives.
        public AudioVia PendingVia { get; set; }

        public double? OneWayMs { get; set; }

        public double JitterMs { get; set; }

        /// The engine renders the room's click into this participant's mix (for JackTrip clients).
        public bool ServerClick { get; set; }

        /// Consent on file for recording this person's audio.
        public bool RecordingConsent { get; set; }
    }
}

/// JackTrip client names that carry the room they admit to: 32 hex digits of the room id, a dash and
/// 16 random letters (49 characters; JackTrip allows 63). The hub reads the room from the name and asks that room's grain.
public static class JackTripCodes
{
    public static string Create(Guid roomId) => roomId.ToString("N") + "-" + People.SecretTokens.NewReadable(16).ToLowerInvariant();

    public static bool TryReadRoom(string code, out Guid roomId)
    {
        roomId = default;
        return code.Length == 49 && code[32] == '-' && Guid.TryParseExact(code.AsSpan(0, 32), "N", out roomId);
    }
}
