using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Features.Rooms;

/// One per live room (keyed by the room id of a class session, rehearsal or workshop). Holds who is there,
/// their roles and the host's controls, and drives the room's audio on the node where it is active.
/// Callers have already checked that a person belongs in the room; the rules themselves are in <see cref="LiveRoom"/>.
public interface IRoomGrain : IGrainWithGuidKey
{
    Task<RoomView> GetViewAsync();

    /// The host opens the room; people may join from then on. Idempotent.
    Task OpenAsync(RoomDescription description, string hostId);

    Task CloseAsync(string hostId);

    /// Admits a member and issues a single-use JackTrip code for them (valid until <see cref="JoinGrant.ExpiresUtc"/>).
    Task<JoinGrant> JoinAsync(RoomMember member);

    Task LeaveAsync(string personId);

    /// The person's room page is still open (sent every few seconds while it is); a person whose page goes quiet and
    /// who has no live audio leaves the roster after <see cref="LiveRoom.PresenceTimeout"/>. Refusal key when not in the room.
    Task<string?> HeartbeatAsync(string personId);

    /// Called by the hub when a native client connects with a code: consumes the code.
    Task<CodeRedemption> RedeemJackTripCodeAsync(string code);

    /// The browser audio endpoint presents the nonce of a verified token for <paramref name="personId"/>.
    /// The nonce is consumed (a second use is refused); on success the answer names the media room and the
    /// client name under which the transport attaches the browser to the engine.
    Task<BrowserAudioAdmission> AdmitBrowserAudioAsync(string personId, string nonce);

    /// The hub admitted the client holding <paramref name="code"/> at its handshake as media participant <paramref name="mediaId"/>
    /// (no audio yet). A connection replaced or removed since is dropped from the engine at once.
    Task MediaAdmittedAsync(string code, int mediaId);

    /// The hub reports that the client holding <paramref name="code"/> is sending audio as media participant <paramref name="mediaId"/>.
    /// <paramref name="channels"/>: how many it sends (0 when not known).
    Task MediaJoinedAsync(string code, int mediaId, int channels);

    Task MediaLeftAsync(int mediaId);

    /// Latest measured figures for a media participant (from the engine's statistics).
    Task MediaStatisticsAsync(int mediaId, double? oneWayMs, double jitterMs, long datagramsReceived);

    /// Input level (peak, 0–1) of each person whose audio is connected, read from this room's engine on the node hosting it.
    Task<IReadOnlyDictionary<string, float>> GetLevelsAsync();

    Task<string?> RaiseHandAsync(string personId, bool raised);

    /// The person's own recording consent changed while they are in the room (an adult from the banner).
    Task<string?> SetRecordingConsentAsync(string personId, bool consent);

    /// Host controls; each returns a refusal key or null. Each acts on every media connection of the person.
    Task<string?> MuteAsync(string hostId, string personId, bool muted);

    Task<string?> SetGainAsync(string hostId, string personId, float gain);

    /// Brings a listener on stage (performer) or back to listening; the host keeps their role.
    Task<string?> SetStageAsync(string hostId, string personId, bool onStage);

    Task<string?> LockAsync(string hostId, bool locked);

    Task<string?> RemoveAsync(string hostId, string personId);

    /// A participant's own mix: how loud they hear each other participant, and whether they hear themselves.
    Task<PersonalMix> GetMyMixAsync(string personId);

    Task<string?> SetMyGainAsync(string listenerId, string sourceId, float gain);

    Task<string?> SetSelfMonitorAsync(string personId, bool enabled);

    /// Host control for a multichannel site: where its input <paramref name="channel"/> (0-based) sits in the stereo
    /// fold-down everyone hears. Kept for the room's lifetime and applied again when the site reconnects.
    Task<string?> SetChannelMixAsync(string hostId, string personId, int channel, float pan, float gain);

    /// Host control: the site's channels go back to the even spread.
    Task<string?> ResetChannelMixAsync(string hostId, string personId);

    /// Host control for a production site: JackTrip participant <paramref name="listenerId"/> receives
    /// <paramref name="sourceId"/>'s channels unmixed instead of its mix (null: its mix again). Kept like the channel mix.
    Task<string?> SetPassthroughAsync(string hostId, string listenerId, string? sourceId);

    /// Host control: what the room's browser audio does on a bad link — tight (keep the delay, conceal) or safe (grow
    /// the buffer, play everything). Kept in the room's state. Refusal key when not the host or not a policy.
    Task<string?> SetLinkPolicyAsync(string hostId, Media.Jitter.JitterPolicy policy);

    /// The room's beat clock (metronome, count-in, bar counter, score cursor).
    Task<BeatTimeline> GetBeatAsync();

    /// Applies a change the host asked for (the caller has checked they host the room). Null refusal when applied.
    Task<(string? RefusalKey, BeatTimeline Beat)> ChangeBeatAsync(BeatChange change);

    /// The score everyone sees and follows, or none. Its time signatures become the timeline's metre.
    Task SelectScoreAsync(ScoreChoice? score);

    /// The page of the room's score everyone sees (for a PDF, which has no bars to follow). 1-based.
    Task TurnScorePageAsync(int page);

    /// Whether the engine renders the room's click into this participant's own mix (JackTrip clients cannot schedule it).
    Task<string?> SetServerClickAsync(string personId, bool enabled);

    /// Where the room's audio lives now (the node hosting this grain).
    Task<MediaEndpoint> GetMediaEndpointAsync();

    /// Whether take <paramref name="recordingId"/> is this room's running take. Asking activates the room: a room that
    /// comes back with a take its lost node was recording ends it (<see cref="TakeCutOff"/>) and answers false.
    Task<bool> IsRecordingAsync(Guid recordingId);

    /// Starts recording the room as take <paramref name="recordingId"/> (files in <paramref name="folder"/>): every
    /// participant with consent on file gets a track and is in the stored mix, now and when they connect later.
    /// The caller has checked that the actor hosts the room. Null refusal when the room records from now on; the
    /// files are written by whoever subscribes to <see cref="TakeStarted"/>, who reports a failure back.
    Task<string?> StartRecordingAsync(Guid recordingId, string folder);

    /// Stops the take (<see cref="TakeStopped"/>: the subscriber stores it). Null refusal when stopped.
    Task<string?> StopRecordingAsync(Guid recordingId);

    /// Whoever records take <paramref name="recordingId"/> could not start or store it: the room shows
    /// <paramref name="problemKey"/> (a localization key) and, if the take still runs, stops showing it as recording.
    Task ReportTakeProblemAsync(Guid recordingId, string problemKey);

    /// Whoever records take <paramref name="recordingId"/> has started writing it.
    Task ReportTakeWritingAsync(Guid recordingId);

    /// A marker the host drops into the running take's timeline.
    Task<string?> DropMarkerAsync(string name);

    /// The host allows a person in the room to share their screen, or takes it back (a running share then ends).
    Task<string?> AllowScreenShareAsync(string hostId, string personId, bool allowed);

    /// The host presents a PDF to everyone (page 1), or stops presenting (null). The caller has checked the file may be
    /// shown to the room's members.
    Task<string?> PresentSlidesAsync(string hostId, ScoreChoice? slides);

    /// The host turns the slides to <paramref name="page"/> (1-based, kept within the PDF).
    Task<string?> TurnSlideAsync(string hostId, int page);

    Task SubscribeAsync(IRoomObserver observer);

    Task UnsubscribeAsync(IRoomObserver observer);
}

/// Pages watching a room get every change of its view.
public interface IRoomObserver : IGrainObserver
{
    Task RoomChangedAsync(RoomView view);
}

/// <param name="RecordingConsent">Whether this person may be recorded (see <see cref="Rooms.RecordingConsent"/>).</param>
/// <param name="AdminVisit">An admin who does not belong to the room enters it as host; the roster shows it to everyone.</param>
[GenerateSerializer, Immutable, Alias("Loki.RoomMember")]
public sealed record RoomMember(
    [property: Id(0)] string PersonId, [property: Id(1)] string DisplayName, [property: Id(2)] RoomRole Role, [property: Id(3)] bool RecordingConsent = false,
    [property: Id(4)] bool AdminVisit = false);

/// <param name="RefusalKey">Null when admitted.</param>
[GenerateSerializer, Immutable, Alias("Loki.JoinGrant")]
public sealed record JoinGrant(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] string? JackTripCode = null,
    [property: Id(2)] DateTime ExpiresUtc = default,
    [property: Id(3)] string? AudioNonce = null,
    [property: Id(4)] MediaEndpoint? Media = null);

/// Where the room's audio lives: the node on which its grain is active.
/// <param name="JackTripHost">Host name native clients dial.</param>
/// <param name="AudioBaseUrl">That node's address for the browser audio WebSocket; null when it is the site's own (one node).</param>
/// <param name="Node">The node's silo address; the audio endpoint refuses a socket that reached another node.</param>
[GenerateSerializer, Immutable, Alias("Loki.MediaEndpoint")]
public sealed record MediaEndpoint([property: Id(0)] string JackTripHost, [property: Id(1)] int JackTripPort, [property: Id(2)] string? AudioBaseUrl, [property: Id(3)] string Node);

/// <param name="RefusalKey">Null when admitted.</param>
/// <param name="MediaRoom">The engine's room id.</param>
/// <param name="ClientName">The name the browser participant carries in the engine (its media events name it).</param>
[GenerateSerializer, Immutable, Alias("Loki.BrowserAudioAdmission")]
public sealed record BrowserAudioAdmission(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] string? MediaRoom = null,
    [property: Id(2)] string? ClientName = null,
    [property: Id(3)] string? Node = null);

/// How a participant's audio reaches the room.
public enum AudioVia
{
    None,
    JackTrip,
    Browser,
}

/// <param name="Channels">Channels of the client that are mixed: 1 for a listener; null for everyone else, so a hall or studio
/// is mixed with every channel it sends (up to 16).</param>
[GenerateSerializer, Immutable, Alias("Loki.CodeRedemption")]
public sealed record CodeRedemption([property: Id(0)] bool Admitted, [property: Id(1)] string? PersonId = null, [property: Id(2)] int? Channels = null);

/// <param name="OneWayMs">Measured one-way delay to the hub, when known.</param>
/// <param name="Channels">Channels the person's audio connection sends (a hall or studio: up to 16; 0 before its first datagram).</param>
/// <param name="ChannelMix">For a site with three or more channels: where each channel sits in the stereo fold-down every
/// listener hears (the host's choice, or the engine's even spread).</param>
/// <param name="PassthroughFrom">The person whose channels this (JackTrip) participant receives unmixed instead of its mix.</param>
[GenerateSerializer, Immutable, Alias("Loki.RosterEntry")]
public sealed record RosterEntry(
    [property: Id(0)] string PersonId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] RoomRole Role,
    [property: Id(3)] bool HandRaised,
    [property: Id(4)] bool Muted,
    [property: Id(5)] float Gain,
    [property: Id(6)] bool AudioConnected,
    [property: Id(7)] double? OneWayMs,
    [property: Id(8)] double JitterMs,
    [property: Id(9)] AudioVia Via = AudioVia.None,
    [property: Id(10)] int? MediaId = null,
    [property: Id(11)] bool ServerClick = false,
    [property: Id(12)] bool AdminVisit = false,
    [property: Id(13)] int Channels = 0,
    [property: Id(14)] IReadOnlyList<ChannelPlace>? ChannelMix = null,
    [property: Id(15)] string? PassthroughFrom = null,
    [property: Id(20)] bool MayShareScreen = false);

/// <param name="Gains">Person id → linear gain; a participant not listed is heard at 1.</param>
[GenerateSerializer, Immutable, Alias("Loki.PersonalMix")]
public sealed record PersonalMix([property: Id(0)] IReadOnlyDictionary<string, float> Gains, [property: Id(1)] bool SelfMonitor);

[GenerateSerializer, Immutable, Alias("Loki.RoomView")]
public sealed record RoomView(
    [property: Id(0)] RoomDescription? Description,
    [property: Id(1)] bool Open,
    [property: Id(2)] bool Locked,
    [property: Id(3)] IReadOnlyList<RosterEntry> Roster,
    [property: Id(4)] long Version,
    [property: Id(5)] BeatTimeline? Beat = null,
    [property: Id(6)] ScoreChoice? Score = null,
    [property: Id(7)] int ScorePage = 1,
    [property: Id(12)] RoomRecordingState? Recording = null,
    [property: Id(13)] string? RecordingProblem = null,
    [property: Id(21)] ScoreChoice? Slides = null,
    [property: Id(22)] int SlidePage = 1,
    [property: Id(30)] Media.Jitter.JitterPolicy LinkPolicy = Media.Jitter.JitterPolicy.Safe)
{
    /// Whether <paramref name="personId"/> may share a screen in the room now: a host, or someone the host allowed, in the roster.
    public bool MayShareScreen(string personId) => Open && Roster.Any(p => p.PersonId == personId && p.MayShareScreen);
}

/// The room is being recorded: everyone sees it, and who is left out for want of consent.
/// <param name="Writing">The recorder on the room's node has started writing the take (it reported back).</param>
[GenerateSerializer, Immutable, Alias("Loki.RoomRecordingState")]
public sealed record RoomRecordingState(
    [property: Id(0)] Guid RecordingId, [property: Id(1)] DateTime StartedUtc, [property: Id(2)] IReadOnlyList<string> NotRecorded, [property: Id(3)] bool Writing = false);
