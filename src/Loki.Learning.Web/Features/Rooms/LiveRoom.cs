using Loki.Learning.Web.Features.Music;
using System.Security.Cryptography;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Features.Rooms;

/// What must survive the room moving to another node: whether it is open, its beat, its score and the page
/// shown, the take being recorded, and who had joined (so a locked room lets them back in). Their connections
/// do not: participants reconnect and join again. (The alias is the one this record was first stored under.)
[GenerateSerializer, Immutable, Alias("Loki.RoomGrain.State")]
public sealed record RoomState(
    [property: Id(0)] RoomDescription? Description = null,
    [property: Id(1)] bool Open = false,
    [property: Id(2)] bool Locked = false,
    [property: Id(3)] BeatTimeline? Beat = null,
    [property: Id(4)] ScoreChoice? Score = null,
    [property: Id(5)] int ScorePage = 1,
    [property: Id(6)] RoomRecordingState? Recording = null,
    [property: Id(7)] IReadOnlyList<string>? Members = null,
    [property: Id(8)] IReadOnlyDictionary<string, IReadOnlyDictionary<int, ChannelPlace>>? ChannelMixes = null,
    [property: Id(9)] IReadOnlyDictionary<string, string>? Passthroughs = null,
    [property: Id(20)] IReadOnlyList<string>? ScreenSharers = null,
    [property: Id(21)] ScoreChoice? Slides = null,
    [property: Id(22)] int SlidePage = 1,
    [property: Id(30)] JitterPolicy LinkPolicy = JitterPolicy.Safe)
{
    /// A room never opened: what the storage hands out before anything was written.
    public RoomState() : this(null, false, false, null, null, 1, null, null, null, null)
    {
    }
}

/// Why a room refused something. The page or API turns it into words (<see cref="RoomRefusals.Key"/>).
public enum RoomRefusal
{
    None,
    RoomClosed,
    RoomLocked,
    RoomFull,
    NotInRoom,
    NotRoomHost,
    InvalidGain,
    AudioTokenUsed,
    AudioTokenExpired,
    AlreadyRecording,
    NotRecording,
    InvalidPan,
    NoSuchChannel,
    NotMultichannel,
    PassthroughNeedsJackTrip,
    NotSlides,
    NoSlides,
    InvalidLinkPolicy,
}

public static class RoomRefusals
{
    /// The localization key of a refusal; null for none.
    public static string? Key(this RoomRefusal refusal) => refusal switch
    {
        RoomRefusal.None => null,
        RoomRefusal.InvalidGain => "Validation.Gain",
        RoomRefusal.InvalidPan => "Validation.Pan",
        RoomRefusal.NoSuchChannel => "Validation.Channel",
        RoomRefusal.InvalidLinkPolicy => "Validation.LinkPolicy",
        RoomRefusal.AlreadyRecording => "Recording.Refusal.AlreadyRecording",
        RoomRefusal.NotRecording => "Recording.Refusal.NotRecording",
        RoomRefusal.NotSlides => "Slides.Refusal.NotPdf",
        RoomRefusal.NoSlides => "Slides.Refusal.NoneShown",
        _ => "Refusal." + refusal,
    };
}

/// The answer of the model to one command: a refusal, or what to do about the change.
/// <param name="Changed">Watchers need a new view.</param>
/// <param name="Persist">The durable part (<see cref="RoomState"/>) changed.</param>
/// <param name="Media">Commands for the media engine, in order.</param>
/// <param name="Events">What others may react to, in order (published once the state is persisted).</param>
public sealed record RoomOutcome(RoomRefusal Refusal, bool Changed, bool Persist, IReadOnlyList<MediaCommand> Media, IReadOnlyList<RoomEvent> Events)
{
    public static readonly RoomOutcome Nothing = new(RoomRefusal.None, false, false, [], []);

    public static RoomOutcome Refuse(RoomRefusal refusal) => new(refusal, false, false, [], []);

    public bool Refused => Refusal != RoomRefusal.None;
}

/// The rules of one live room, with no Orleans, EF or I/O: who is in it and in which role, who may connect
/// audio and how (single-use JackTrip codes and browser nonces, one live media connection per person), the
/// host's controls, personal mixes, hands, lock, stage, the beat timeline and the score page. Each command
/// returns a <see cref="RoomOutcome"/>; the grain that holds the model persists, posts and notifies.
/// Not thread-safe: the grain's turns serialise every call.
public sealed partial class LiveRoom
{
    /// A JackTrip code works once, within this time after joining.
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    /// A person whose page has not said it is still there for this long, and who has no live audio connection, has
    /// closed their tab: they leave the roster. An open room empty for this long stops its beat.
    public static readonly TimeSpan PresenceTimeout = TimeSpan.FromSeconds(30);

    /// The media engine mixes at most this many per room.
    public const int Capacity = 64;

    /// Rate of the engine's mix (the media engine runs at 48 kHz).
    private const int SampleRate = 48000;

    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pass> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pass> _audioNonces = new(StringComparer.Ordinal);

    /// Everyone admitted since the room opened and not removed (ids only).
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    private Outcome _pending = new();

    /// Since when nobody has been in the open room (null: someone is).
    private DateTime? _emptySinceUtc;

    public LiveRoom(Guid roomId, RoomState state)
    {
        RoomId = roomId;
        Description = state.Description;
        Open = state.Open;
        Locked = state.Locked;
        Beat = state.Beat ?? BeatTimeline.Initial;
        Score = state.Score;
        ScorePage = state.ScorePage;
        Recording = state.Recording;
        _members.UnionWith(state.Members ?? []);
        RestoreSites(state);
        RestorePresenting(state);
        LinkPolicy = state.LinkPolicy;
    }

    public Guid RoomId { get; }

    /// The engine's name for this room.
    public string MediaRoom => RoomId.ToString("N");

    public RoomDescription? Description { get; private set; }

    public bool Open { get; private set; }

    public bool Locked { get; private set; }

    public BeatTimeline Beat { get; private set; }

    public ScoreChoice? Score { get; private set; }

    public int ScorePage { get; private set; }

    public RoomRecordingState? Recording { get; private set; }

    /// Why the last take could not start or be stored (a localization key from whoever records), until the next take starts.
    public string? RecordingProblem { get; private set; }

    public RoomState ToState() => new(
        Description, Open, Locked, Beat, Score, ScorePage, Recording, [.. _members], SavedChannelMixes(), SavedPassthroughs(), [.. _screenSharers], Slides, SlidePage, LinkPolicy);

    /// Every media participant id of the room's people, as the engine knows them (connected or still handshaking).
    public IEnumerable<(string PersonId, int MediaId)> MediaOf() =>
        _participants.Values.SelectMany(p => p.Connections.Where(c => c.MediaId is not null).Select(c => (p.PersonId, c.MediaId!.Value)));

    public bool IsHost(string personId) => _participants.TryGetValue(personId, out var p) && p.Role == RoomRole.Host;

    /// The room resumes on this node (open rooms need their engine room and click back).
    public RoomOutcome Resume()
    {
        if (Open)
        {
            _pending.Media.Add(new OpenRoom(MediaRoom));
            PostClickTrack();
            PostLinkPolicy();
        }
        return Done(changed: false);
    }

    /// Opens the room. A room that opens starts clean: its beat stopped, the next start at bar 1 (tempo, metre and the
    /// score stay as the host left them).
    public RoomOutcome OpenRoom(RoomDescription description, double nowEpochMs)
    {
        Description = description;
        if (!Open)
        {
            Open = true;
            ResetBeat(nowEpochMs);
            _pending.Media.Add(new OpenRoom(MediaRoom));
            PostClickTrack();
            PostLinkPolicy();
            _pending.Events.Add(new LiveRoomOpened(RoomId, description));
        }
        return Done(persist: true);
    }

    /// A running take stops, everyone leaves, their codes end and the beat stops; the next start is at bar 1.
    public RoomOutcome Close(double nowEpochMs)
    {
        EndTake();
        Open = false;
        ResetBeat(nowEpochMs);
        _codes.Clear();
        _audioNonces.Clear();
        _participants.Clear();
        _members.Clear();
        ForgetSites();
        EndPresenting();
        _pending.Media.Add(new CloseRoom(MediaRoom));
        _pending.Events.Add(new LiveRoomClosed(RoomId));
        return Done(persist: true);
    }

    /// Admits a member (the caller has checked they belong) and issues them a new JackTrip code and browser
    /// nonce; older unused ones of theirs stop working.
    public RoomOutcome Join(RoomMember member, DateTime nowUtc, out string code, out string nonce)
    {
        code = "";
        nonce = "";
        if (!Open)
        {
            return RoomOutcome.Refuse(RoomRefusal.RoomClosed);
        }
        var present = _participants.ContainsKey(member.PersonId);
        if (Locked && !present && !_members.Contains(member.PersonId) && member.Role != RoomRole.Host)
        {
            return RoomOutcome.Refuse(RoomRefusal.RoomLocked);
        }
        if (!present && _participants.Count >= Capacity)
        {
            return RoomOutcome.Refuse(RoomRefusal.RoomFull);
        }
        if (!_participants.TryGetValue(member.PersonId, out var participant))
        {
            participant = new Participant(member.PersonId, member.DisplayName, member.Role);
            _participants.Add(member.PersonId, participant);
            _pending.Events.Add(new PersonJoined(RoomId, member.PersonId, member.DisplayName, member.Role));
        }
        participant.RecordingConsent = member.RecordingConsent;
        participant.AdminVisit = member.AdminVisit;
        participant.LastSeenUtc = nowUtc;
        _emptySinceUtc = null;
        ForgetPasses(member.PersonId);
        code = JackTripCodes.Create(RoomId);
        _codes[code] = new Pass(member.PersonId, nowUtc + CodeLifetime);
        // The browser audio token carries this nonce; the room is the one place that can tell a first use from a replay.
        nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _audioNonces[nonce] = new Pass(member.PersonId, nowUtc + RoomAudioTokens.Lifetime);
        return Done(persist: _members.Add(member.PersonId));
    }

    /// The person leaves; when they were the last one, the beat stops (the next start is at bar 1).
    public RoomOutcome Leave(string personId, DateTime nowUtc, double nowEpochMs)
    {
        ForgetPasses(personId);
        if (_participants.Remove(personId, out var participant))
        {
            EndConnections(participant);
            _pending.Events.Add(new PersonLeft(RoomId, personId));
            if (_participants.Count == 0)
            {
                _emptySinceUtc = nowUtc;
                return Done(persist: StopEmptyRoomsBeat(nowEpochMs));
            }
        }
        return Done();
    }

    /// The person's page says it is still open (every few seconds while it is).
    public RoomOutcome Seen(string personId, DateTime nowUtc)
    {
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        participant.LastSeenUtc = nowUtc;
        return Done(changed: false);
    }

    /// Run every few seconds: people whose page went quiet for <see cref="PresenceTimeout"/> and who have no live audio
    /// leave (they closed their tab; a JackTrip client still sending keeps its person in), and an open room that has
    /// been empty that long stops its beat (a room that moved here from a lost node comes back with nobody in it).
    public RoomOutcome SweepAbsent(DateTime nowUtc, double nowEpochMs)
    {
        if (!Open)
        {
            return Done(changed: false);
        }
        var gone = _participants.Values
            .Where(p => p.LastSeenUtc + PresenceTimeout <= nowUtc && !p.Connections.Any(c => c.Joined))
            .ToList();
        foreach (var participant in gone)
        {
            _participants.Remove(participant.PersonId);
            ForgetPasses(participant.PersonId);
            EndConnections(participant);
            _pending.Events.Add(new PersonLeft(RoomId, participant.PersonId));
        }
        if (_participants.Count > 0)
        {
            _emptySinceUtc = null;
            return Done(changed: gone.Count > 0);
        }
        _emptySinceUtc ??= nowUtc;
        var stopped = _emptySinceUtc + PresenceTimeout <= nowUtc || gone.Count > 0 ? StopEmptyRoomsBeat(nowEpochMs) : false;
        return Done(changed: gone.Count > 0 || stopped, persist: stopped);
    }
    /// The hub asks about a JackTrip client's name at its handshake: the code is consumed, and the person's other
    /// media connections end (one live media connection per person, so one person holds one hub slot).
    public RoomOutcome RedeemJackTripCode(string code, DateTime nowUtc, out CodeRedemption redemption)
    {
        redemption = new CodeRedemption(false);
        if (!Open || !_codes.Remove(code, out var pass) || pass.ExpiresUtc <= nowUtc || !_participants.TryGetValue(pass.PersonId, out var participant))
        {
            return RoomOutcome.Nothing;
        }
        Connect(participant, code, AudioVia.JackTrip);
        // Listeners hear the mix but send nothing into it; everyone else is mixed with every channel they send (a hall
        // or studio sends up to 16, docs/multichannel.md).
        redemption = new CodeRedemption(true, participant.PersonId, participant.Role == RoomRole.Listener ? 1 : null);
        return Done();
    }

    /// The browser audio endpoint presents the nonce of a verified token. Consumed whatever happens next.
    public RoomOutcome AdmitBrowserAudio(string personId, string nonce, DateTime nowUtc, out string? clientName)
    {
        clientName = null;
        if (!_audioNonces.Remove(nonce, out var pass) || pass.PersonId != personId)
        {
            return RoomOutcome.Refuse(RoomRefusal.AudioTokenUsed);
        }
        if (pass.ExpiresUtc <= nowUtc)
        {
            return RoomOutcome.Refuse(RoomRefusal.AudioTokenExpired);
        }
        if (!Open)
        {
            return RoomOutcome.Refuse(RoomRefusal.RoomClosed);
        }
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        clientName = "browser-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        Connect(participant, clientName, AudioVia.Browser);
        return Done();
    }

    /// The engine gave the connection admitted as <paramref name="connectionName"/> its participant id (at the
    /// JackTrip handshake, or when a browser socket attached). A connection that was replaced or whose person
    /// left in the meantime is removed from the engine at once.
    public RoomOutcome MediaAdmitted(string connectionName, int mediaId)
    {
        if (FindConnection(connectionName) is not var (_, connection))
        {
            _pending.Media.Add(new RemoveParticipant(mediaId));
            return Done(changed: false);
        }
        connection.MediaId = mediaId;
        return Done(changed: false);
    }

    /// The connection's audio arrives (first datagram, or the browser socket is up): the person's settings apply to it.
    /// <param name="inputChannels">Channels it sends (a hall or studio over JackTrip: up to 16); 0 when not known.</param>
    public RoomOutcome MediaJoined(string connectionName, int mediaId, int inputChannels = 0)
    {
        if (FindConnection(connectionName) is not var (participant, connection))
        {
            // Left, removed or replaced between handshake and first datagram.
            _pending.Media.Add(new RemoveParticipant(mediaId));
            return Done(changed: false);
        }
        if (connection.MediaId == mediaId && connection.Joined)
        {
            // Told twice (the transport and the engine's event): the settings are already applied.
            return Done(changed: false);
        }
        connection.MediaId = mediaId;
        connection.Joined = true;
        connection.Channels = inputChannels;
        if (participant.Muted || participant.Role == RoomRole.Listener)
        {
            _pending.Media.Add(new SetMute(mediaId, true));
        }
        ApplyGains(participant);
        ApplyClick(participant);
        ApplySites(participant, connection);
        _pending.Events.Add(new AudioConnected(RoomId, participant.PersonId, mediaId, connection.Via));
        IncludeInTake(participant);
        return Done();
    }

    public RoomOutcome MediaLeft(int mediaId)
    {
        if (FindConnection(mediaId) is not var (participant, connection))
        {
            return Done(changed: false);
        }
        LeaveTake(participant, connection);
        participant.Connections.Remove(connection);
        _pending.Events.Add(new AudioDisconnected(RoomId, participant.PersonId, mediaId));
        return Done();
    }

    public RoomOutcome MediaStatistics(int mediaId, double? oneWayMs, double jitterMs)
    {
        if (FindConnection(mediaId) is not var (participant, connection))
        {
            return Done(changed: false);
        }
        connection.OneWayMs = oneWayMs;
        connection.JitterMs = jitterMs;
        if (participant.ServerClick)
        {
            ApplyClick(participant);
        }
        return Done();
    }

    public RoomOutcome RaiseHand(string personId, bool raised) => AsSelf(personId, p => p.HandRaised = raised);

    public RoomOutcome Mute(string hostId, string personId, bool muted) => AsHost(hostId, personId, participant =>
    {
        participant.Muted = muted;
        ApplyMute(participant);
    });

    /// A workshop's host brings a listener on stage (a performer: their microphone is heard) or sends them back.
    public RoomOutcome SetStage(string hostId, string personId, bool onStage) => AsHost(hostId, personId, participant =>
    {
        if (participant.Role == RoomRole.Host)
        {
            return;
        }
        participant.Role = onStage ? RoomRole.Performer : RoomRole.Listener;
        ApplyMute(participant);
    });

    public RoomOutcome SetGain(string hostId, string personId, float gain) => !IsGain(gain)
        ? RoomOutcome.Refuse(RoomRefusal.InvalidGain)
        : AsHost(hostId, personId, participant =>
        {
            participant.Gain = gain;
            ApplyGains(participant);
        });

    public RoomOutcome Lock(string hostId, bool locked)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        Locked = locked;
        return Done(persist: true);
    }

    /// The host removes someone: every media connection of theirs ends, their codes stop working, and a locked room
    /// no longer lets them back in.
    public RoomOutcome Remove(string hostId, string personId)
    {
        var outcome = AsHost(hostId, personId, participant =>
        {
            _participants.Remove(personId);
            _members.Remove(personId);
            _screenSharers.Remove(personId);
            ForgetPasses(personId);
            ForgetSite(personId);
            EndConnections(participant);
            _pending.Events.Add(new PersonRemoved(RoomId, personId));
        });
        return outcome.Refused ? outcome : outcome with { Persist = true };
    }

    /// A stop also takes the next start back to bar 1 (unless the same change names another bar): starting the
    /// metronome starts the music from its beginning, or from the bar the host chooses.
    public RoomOutcome ChangeBeat(BeatChange change, double nowEpochMs)
    {
        var beat = change.ApplyTo(Beat, nowEpochMs);
        if (change.Running == false && !beat.Running && beat.StartBar != (change.JumpToBar ?? 1))
        {
            beat = beat.JumpTo(change.JumpToBar ?? 1, nowEpochMs);
        }
        if (ReferenceEquals(beat, Beat))
        {
            return Done(changed: false);
        }
        Beat = beat;
        PostClickTrack();
        _pending.Events.Add(new BeatChanged(RoomId, Beat));
        return Done(persist: true);
    }

    /// The score everyone sees and follows, or none. Its time signatures become the timeline's metre.
    public RoomOutcome SelectScore(ScoreChoice? score, double nowEpochMs)
    {
        Score = score;
        ScorePage = 1;
        Beat = Beat.FollowScore(score?.Measures ?? [], nowEpochMs);
        PostClickTrack();
        _pending.Events.Add(new BeatChanged(RoomId, Beat));
        _pending.Events.Add(new ScoreChanged(RoomId, score));
        return Done(persist: true);
    }

    public RoomOutcome TurnScorePage(int page)
    {
        ScorePage = Math.Clamp(page, 1, Math.Max(1, Score?.PageCount ?? 1));
        return Done(persist: true);
    }

    public RoomOutcome SetServerClick(string personId, bool enabled) => AsSelf(personId, participant =>
    {
        participant.ServerClick = enabled;
        ApplyClick(participant);
    });

    /// An adult gives or withdraws their own recording consent while in the room: during a take they go into it (or
    /// leave it) at once, so a student who says yes from the banner is in the tracks from then on.
    public RoomOutcome SetRecordingConsent(string personId, bool consent) => AsSelf(personId, participant =>
    {
        if (participant.RecordingConsent == consent)
        {
            return;
        }
        if (consent)
        {
            participant.RecordingConsent = true;
            IncludeInTake(participant);
            return;
        }
        foreach (var connection in participant.Connections)
        {
            LeaveTake(participant, connection);
        }
        participant.RecordingConsent = false;
    });

    /// The host starts take <paramref name="recordingId"/> (files in <paramref name="folder"/>): the room records from
    /// now on, and everyone connected with consent goes into it. Whoever records reports a take it could not start
    /// (<see cref="TakeProblem"/>).
    public RoomOutcome StartTake(Guid recordingId, string folder, DateTime nowUtc)
    {
        if (!Open)
        {
            return RoomOutcome.Refuse(RoomRefusal.RoomClosed);
        }
        if (Recording is not null)
        {
            return RoomOutcome.Refuse(RoomRefusal.AlreadyRecording);
        }
        Recording = new RoomRecordingState(recordingId, nowUtc, []);
        RecordingProblem = null;
        _pending.Events.Add(new TakeStarted(RoomId, recordingId, folder, Beat, Score?.Title));
        foreach (var participant in _participants.Values)
        {
            IncludeInTake(participant);
        }
        return Done(persist: true);
    }

    public RoomOutcome StopTake(Guid recordingId)
    {
        if (Recording?.RecordingId != recordingId)
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRecording);
        }
        EndTake();
        return Done(persist: true);
    }

    /// The room came back on this node with a take running: the node that recorded it is gone, so the take ends here
    /// and what reached the disk is kept (<see cref="TakeCutOff"/>).
    public RoomOutcome CutOffTake()
    {
        if (Recording is not { } cut)
        {
            return Done(changed: false);
        }
        Recording = null;
        _pending.Events.Add(new TakeCutOff(RoomId, cut.RecordingId));
        return Done(persist: true);
    }

    /// Whoever records could not start or store take <paramref name="recordingId"/>: the room says so (a localization
    /// key of theirs) and, if the take still runs, no longer shows it as recording.
    public RoomOutcome TakeProblem(Guid recordingId, string problemKey)
    {
        RecordingProblem = problemKey;
        if (Recording?.RecordingId != recordingId)
        {
            return Done();
        }
        Recording = null;
        return Done(persist: true);
    }

    /// Whoever records has started writing take <paramref name="recordingId"/>.
    public RoomOutcome TakeWriting(Guid recordingId)
    {
        if (Recording is not { Writing: false } recording || recording.RecordingId != recordingId)
        {
            return Done(changed: false);
        }
        Recording = recording with { Writing = true };
        return Done(persist: true);
    }

    public RoomOutcome DropMarker(string name)
    {
        if (Recording is not { } recording)
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRecording);
        }
        _pending.Events.Add(new MarkerDropped(RoomId, recording.RecordingId, name));
        return Done(changed: false);
    }

    public RoomOutcome SetMyGain(string listenerId, string sourceId, float gain)
    {
        if (!IsGain(gain))
        {
            return RoomOutcome.Refuse(RoomRefusal.InvalidGain);
        }
        if (!_participants.TryGetValue(listenerId, out var listener) || !_participants.TryGetValue(sourceId, out var source))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        listener.MyGains[sourceId] = gain;
        foreach (var listening in listener.Connections)
        {
            foreach (var sounding in source.Connections)
            {
                if (listening.MediaId is { } listenerMedia && sounding.MediaId is { } sourceMedia)
                {
                    _pending.Media.Add(new SetGain(listenerMedia, sourceMedia, source.Gain * gain));
                }
            }
        }
        return Done(changed: false);
    }

    public RoomOutcome SetSelfMonitor(string personId, bool enabled)
    {
        var outcome = AsSelf(personId, participant =>
        {
            participant.SelfMonitor = enabled;
            foreach (var mediaId in participant.MediaIds)
            {
                _pending.Media.Add(new SetSelfMonitor(mediaId, enabled));
            }
        });
        return outcome with { Changed = false };
    }

    public PersonalMix MixOf(string personId) =>
        _participants.TryGetValue(personId, out var me)
            ? new PersonalMix(new Dictionary<string, float>(me.MyGains), me.SelfMonitor)
            : new PersonalMix(new Dictionary<string, float>(), false);

    public RoomView View(long version) => new(
        Description,
        Open,
        Locked,
        _participants.Values
            .OrderBy(p => p.Role)
            .ThenBy(p => p.DisplayName, StringComparer.CurrentCulture)
            .Select(p =>
            {
                // The connection that carries audio (a person has one at a time).
                var live = p.Connections.LastOrDefault(c => c.Joined);
                return new RosterEntry(p.PersonId, p.DisplayName, p.Role, p.HandRaised, p.Muted, p.Gain, live is not null, live?.OneWayMs, live?.JitterMs ?? 0,
                    live?.Via ?? AudioVia.None, live?.MediaId, p.ServerClick, p.AdminVisit,
                    live?.Channels ?? 0, ChannelMixOf(p.PersonId, live?.Channels ?? 0), _passthroughs.GetValueOrDefault(p.PersonId),
                    p.Role == RoomRole.Host || _screenSharers.Contains(p.PersonId));
            })
            .ToList(),
        version,
        Beat,
        Score,
        ScorePage,
        Recording is null ? null : Recording with
        {
            NotRecorded = _participants.Values.Where(p => !p.RecordingConsent).Select(p => p.DisplayName).Order(StringComparer.CurrentCulture).ToList(),
        },
        RecordingProblem,
        Slides,
        SlidePage,
        LinkPolicy);

    /// A new media connection for <paramref name="participant"/>: every other one of theirs ends.
    private void Connect(Participant participant, string name, AudioVia via)
    {
        EndConnections(participant);
        participant.Connections.Add(new Connection(name, via));
    }

    /// Ends a person's media connections: the engine drops those it knows; one still handshaking is dropped when the
    /// engine names it (<see cref="MediaAdmitted"/> finds no connection under that name).
    private void EndConnections(Participant participant)
    {
        foreach (var connection in participant.Connections)
        {
            LeaveTake(participant, connection);
            if (connection.MediaId is { } mediaId)
            {
                _pending.Media.Add(new RemoveParticipant(mediaId));
            }
        }
        participant.Connections.Clear();
    }

    private void ApplyMute(Participant participant)
    {
        foreach (var mediaId in participant.MediaIds)
        {
            _pending.Media.Add(new SetMute(mediaId, participant.Muted || participant.Role == RoomRole.Listener));
        }
    }

    /// Every mix that involves <paramref name="changed"/>, as listener or as source: the host's gain for the source
    /// times the listener's own choice for it.
    private void ApplyGains(Participant changed)
    {
        foreach (var changedId in changed.MediaIds)
        {
            foreach (var other in _participants.Values)
            {
                foreach (var otherId in other.MediaIds)
                {
                    if (otherId == changedId)
                    {
                        continue;
                    }
                    _pending.Media.Add(new SetGain(otherId, changedId, changed.Gain * other.MyGains.GetValueOrDefault(changed.PersonId, 1f)));
                    _pending.Media.Add(new SetGain(changedId, otherId, other.Gain * changed.MyGains.GetValueOrDefault(other.PersonId, 1f)));
                }
            }
            _pending.Media.Add(new SetSelfMonitor(changedId, changed.SelfMonitor));
        }
    }

    /// Stopped, with the next start at bar 1. True when that changed anything.
    private bool ResetBeat(double nowEpochMs)
    {
        var reset = Beat.Stop(nowEpochMs);
        if (reset.StartBar != 1)
        {
            reset = reset.JumpTo(1, nowEpochMs);
        }
        if (ReferenceEquals(reset, Beat))
        {
            return false;
        }
        Beat = reset;
        return true;
    }

    /// Nobody is left to play: the beat stops (and the click the engine renders with it).
    private bool StopEmptyRoomsBeat(double nowEpochMs)
    {
        if (!ResetBeat(nowEpochMs))
        {
            return false;
        }
        PostClickTrack();
        _pending.Events.Add(new BeatChanged(RoomId, Beat));
        return true;
    }

    /// Rendered early by the participant's measured one-way delay, so it reaches them about when the beat sounds elsewhere.
    private void ApplyClick(Participant participant)
    {
        foreach (var connection in participant.Connections)
        {
            if (connection.MediaId is { } mediaId)
            {
                _pending.Media.Add(new SetClick(mediaId, participant.ServerClick ? 1f : 0f, connection.OneWayMs ?? 0));
            }
        }
    }

    /// The engine renders the click for those who asked, from a copy of the running timeline.
    private void PostClickTrack()
    {
        if (!Open)
        {
            return;
        }
        var track = Beat.Running
            ? new ClickTrack(Beat.Segments.Select(s => new ClickSegment(s.Beat, s.EpochMs, s.Bpm, s.BeatsPerBar)), SampleRate, Beat.Click.Volume)
            : null;
        _pending.Media.Add(new SetClickTrack(MediaRoom, track));
    }

    private void EndTake()
    {
        if (Recording is { } recording)
        {
            _pending.Events.Add(new TakeStopped(RoomId, recording.RecordingId));
            Recording = null;
        }
    }

    /// A connected participant with consent goes into the running take; nobody else is ever recorded.
    private void IncludeInTake(Participant participant)
    {
        if (Recording is not { } recording || !participant.RecordingConsent || participant.Role == RoomRole.Listener)
        {
            return;
        }
        foreach (var connection in participant.Connections)
        {
            if (connection.Joined && connection.MediaId is { } mediaId)
            {
                _pending.Events.Add(new TrackIncluded(RoomId, recording.RecordingId, mediaId, participant.PersonId, participant.DisplayName, connection.OneWayMs, connection.JitterMs));
            }
        }
    }

    /// The counterpart of <see cref="IncludeInTake(Participant)"/>: a connection that was in the take leaves it.
    private void LeaveTake(Participant participant, Connection connection)
    {
        if (connection.Joined && connection.MediaId is { } mediaId && Recording is { } recording && participant.RecordingConsent)
        {
            _pending.Events.Add(new TrackExcluded(RoomId, recording.RecordingId, mediaId, participant.DisplayName));
        }
    }

    private void ForgetPasses(string personId)
    {
        foreach (var passes in (Dictionary<string, Pass>[])[_codes, _audioNonces])
        {
            foreach (var stale in passes.Where(p => p.Value.PersonId == personId).Select(p => p.Key).ToList())
            {
                passes.Remove(stale);
            }
        }
    }

    private (Participant, Connection)? FindConnection(string name) => FindConnection(c => c.Name == name);

    private (Participant, Connection)? FindConnection(int mediaId) => FindConnection(c => c.MediaId == mediaId);

    private (Participant, Connection)? FindConnection(Predicate<Connection> match)
    {
        foreach (var participant in _participants.Values)
        {
            if (participant.Connections.Find(match) is { } connection)
            {
                return (participant, connection);
            }
        }
        return null;
    }

    private static bool IsGain(float gain) => float.IsFinite(gain) && gain >= 0 && gain <= 4;

    private RoomOutcome AsHost(string hostId, string personId, Action<Participant> change)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        return AsSelf(personId, change);
    }

    private RoomOutcome AsSelf(string personId, Action<Participant> change)
    {
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        change(participant);
        return Done();
    }

    /// Hands out what the command caused and starts a fresh list for the next.
    private RoomOutcome Done(bool changed = true, bool persist = false)
    {
        var outcome = new RoomOutcome(RoomRefusal.None, changed || persist, persist, _pending.Media, _pending.Events);
        _pending = new Outcome();
        return outcome;
    }

    private sealed class Outcome
    {
        public List<MediaCommand> Media { get; } = [];

        public List<RoomEvent> Events { get; } = [];
    }

    private readonly record struct Pass(string PersonId, DateTime ExpiresUtc);

    /// One way a person's audio reaches the room: a JackTrip client (named by its code) or a browser socket.
    private sealed class Connection(string name, AudioVia via)
    {
        public string Name { get; } = name;

        public AudioVia Via { get; } = via;

        /// The engine's participant id, once the engine has one (JackTrip: at the handshake).
        public int? MediaId { get; set; }

        /// Audio arrives (the person's settings are applied to it).
        public bool Joined { get; set; }

        public double? OneWayMs { get; set; }

        public double JitterMs { get; set; }

        /// Channels it sends, from its first datagram (0 until then, and for a browser whose count is not reported).
        public int Channels { get; set; }
    }

    private sealed class Participant(string personId, string displayName, RoomRole role)
    {
        public string PersonId { get; } = personId;

        public string DisplayName { get; } = displayName;

        /// Changes when a workshop's host brings a listener on stage or sends them back.
        public RoomRole Role { get; set; } = role;

        public bool HandRaised { get; set; }

        public bool Muted { get; set; }

        public float Gain { get; set; } = 1f;

        /// This participant's own volume for each other participant (person id → linear gain), on top of the host's.
        public Dictionary<string, float> MyGains { get; } = new(StringComparer.Ordinal);

        public bool SelfMonitor { get; set; }

        /// The engine renders the room's click into this participant's mix (for JackTrip clients).
        public bool ServerClick { get; set; }

        /// Consent on file for recording this person's audio.
        public bool RecordingConsent { get; set; }

        /// An admin who does not belong to the room entered it; everyone in it sees that.
        public bool AdminVisit { get; set; }

        /// The last heartbeat of their page (or their join).
        public DateTime LastSeenUtc { get; set; }

        /// At most one: a new admission ends the others (see <see cref="Connect"/>).
        public List<Connection> Connections { get; } = [];

        public IEnumerable<int> MediaIds => Connections.Where(c => c.MediaId is not null).Select(c => c.MediaId!.Value);
    }
}
