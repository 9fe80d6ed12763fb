using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Web.Features.Rooms.EngineProcess;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Rooms;

/// This node's media engine: a JackTrip-compatible hub whose admission asks the room grains, and whose
/// events flow back to them. Room grains active on this node post commands here (never blocking).
/// The engine runs in this process, or in a child process (<c>Media:Process</c> = <c>Child</c>, <see cref="EngineChild"/>)
/// behind the same members. Configuration: <see cref="MediaOptions"/>.
public sealed class RoomMedia(IOptions<MediaOptions> settings, IGrainFactory grains, ILogger<RoomMedia> logger, TimeProvider clock, IServiceProvider services)
    : IHostedService, IAdmissionPolicy, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _moving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _opened = new(StringComparer.Ordinal);
    private volatile bool _draining;

    private MediaEngine? _engine;
    private EngineChild? _child;

    /// What a room's engine state is made of besides its participants: the latest of each of these commands per room,
    /// posted again when a child engine starts again (<see cref="ReopenRoomsAsync"/>). Child mode only.
    private readonly ConcurrentDictionary<(string RoomId, Type Kind), MediaCommand> _roomSettings = new();
    private readonly ConcurrentDictionary<string, AdmitParticipant> _admittedByCommand = new(StringComparer.Ordinal);
    private Task? _pump;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, ParticipantSnapshot> _statistics = new();

    private MediaOptions Settings => settings.Value;

    public bool Enabled => Settings.Enabled;

    /// Where native clients connect: the configured public host, and the bound TCP port.
    public string PublicHost => Settings.PublicHost is { Length: > 0 } host ? host : "127.0.0.1";

    public int JackTripPort => _engine?.TcpEndPoint.Port ?? (_child is { TcpPort: > 0 } child ? child.TcpPort : Settings.JackTripPort);

    /// The engine, when it runs in this process; null when it runs in a child process (see <see cref="RunsInChild"/>).
    public MediaEngine? Engine => _engine;

    /// The engine runs in a child process: only what crosses the control channel works (JackTrip rooms, their
    /// commands, events, levels and admission, the audience stream and browser participants through ring files, and
    /// recording, which the child runs).
    public bool RunsInChild => _child is not null;

    /// The supervisor of the child engine, when there is one.
    public EngineChild? Child => _child;

    /// Where browsers open this node's audio socket. One node: null (the page's own site). In a cluster:
    /// <c>Media:PublicUrl</c>, or the node's HTTP port on <see cref="PublicHost"/>.
    public string? AudioBaseUrl
    {
        get
        {
            if (Settings.PublicUrl is { Length: > 0 } configured)
            {
                return configured;
            }
            if (services.GetService<ClusterSettings>()?.Mode != ClusterMode.AdoNet)
            {
                return null;
            }
            // The node's HTTPS address when it has one: a page served over https may only open wss:// sockets.
            var listening = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses
                .OrderByDescending(address => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).FirstOrDefault();
            return listening is null ? null : new UriBuilder(listening) { Host = PublicHost }.Uri.GetLeftPart(UriPartial.Authority);
        }
    }

    /// This node's media, as join answers name it: where its rooms' audio lives.
    public MediaEndpoint Endpoint => new(PublicHost, JackTripPort, AudioBaseUrl, Node ?? throw new InvalidOperationException("This node runs no silo."));

    /// Whether <paramref name="node"/>, a room's <see cref="MediaEndpoint.Node"/>, is another node than this one: a socket
    /// for that room reached the wrong node (the room moved since the join).
    public bool IsElsewhere(string? node) => node is not null && Node is { } here && node != here;

    /// This node's silo address (the <see cref="MediaEndpoint.Node"/> of the rooms it hosts).
    private string? Node => services.GetService<ILocalSiloDetails>()?.SiloAddress.ToParsableString();

    /// The room grain is leaving this node (shutdown, or it was collected): its audio ends here and its
    /// browsers are told to reconnect (they find the room on the node where it is active next).
    public void MoveAway(string mediaRoom)
    {
        _moving[mediaRoom] = 0;
        _opened.TryRemove(mediaRoom, out _);
        Post(new CloseRoom(mediaRoom));
    }

    /// The room opens here again (or for the first time): its sockets no longer end as "moved".
    public void Opened(string mediaRoom)
    {
        _moving.TryRemove(mediaRoom, out _);
        _opened[mediaRoom] = 0;
        Post(new OpenRoom(mediaRoom));
    }

    public bool IsMovingAway(string mediaRoom) => _moving.ContainsKey(mediaRoom);

    public bool Post(MediaCommand command)
    {
        if (command is CloseRoom closing)
        {
            // A closed room admits no JackTrip client here until it opens again (see DecideAsync).
            _opened.TryRemove(closing.RoomId, out _);
        }
        if (_child is { } child)
        {
            if (!ControlCodec.CanCarry(command))
            {
                // Taps hand the engine objects of this process; in a child the audience and the recorder cross as files.
                logger.LogWarning("{Command} refused: the media engine runs in a child process (Media:Process = Child), where taps cross as ring files only",
                    command.GetType().Name);
                return false;
            }
            Remember(command);
            return child.Post(command);
        }
        return _engine?.Post(command) ?? false;
    }

    /// Where a room's audience stream reads the mix: a tap on the engine here, or a ring the child engine writes.
    /// The caller disposes it when the stream ends.
    public IAudienceFeed OpenAudience(string mediaRoom) => _child is { } child
        ? new ChildAudienceFeed(child, mediaRoom, () => _opened.ContainsKey(mediaRoom) && !Stopping, logger)
        : new TapAudienceFeed(this, mediaRoom);

    /// Starts a recorder on a room's audio writing into <paramref name="folder"/> (which exists): a tap on the engine
    /// here, or a recorder the child engine runs there (<see cref="ChildRoomRecording"/>). Null when this node runs no
    /// engine, or no child is ready.
    /// <exception cref="IOException">The recorder cannot write into the folder (here, or the child refused it).</exception>
    public async Task<IRoomRecording?> RecordAsync(string mediaRoom, string folder, int maxTracks)
    {
        if (_child is { } child)
        {
            return await ChildRoomRecording.StartAsync(child, mediaRoom, folder, maxTracks);
        }
        if (_engine is not { } engine)
        {
            return null;
        }
        var recorder = new Media.Recording.RoomRecorder(folder, engine.Options.PeriodFrames, engine.Options.SampleRate, maxTracks);
        if (!engine.Post(new AttachTap(mediaRoom, recorder)))
        {
            recorder.OnDetached(); // its writer thread ends
            return null;
        }
        return new TapRoomRecording(this, mediaRoom, recorder);
    }

    /// The latest input level of a joined participant (peak and RMS, linear 0..1; see <see cref="MediaEngine.TryGetInputLevel"/>).
    /// With a child engine, its last level report (at most about 100 ms old).
    public bool TryGetInputLevel(int participantId, out float peak, out float rms)
    {
        if (_child is { } child)
        {
            return child.TryGetInputLevel(participantId, out peak, out rms);
        }
        if (_engine is { } engine)
        {
            return engine.TryGetInputLevel(participantId, out peak, out rms);
        }
        peak = 0f;
        rms = 0f;
        return false;
    }

    /// Keeps what a restarted child engine must be told again about a room (its participants are gone with the old one).
    private void Remember(MediaCommand command)
    {
        switch (command)
        {
            case SetClickTrack c:
                _roomSettings[(c.RoomId, typeof(SetClickTrack))] = c;
                break;
            case SetJitterPolicy c:
                _roomSettings[(c.RoomId, typeof(SetJitterPolicy))] = c;
                break;
            case SetMasterGain c:
                _roomSettings[(c.RoomId, typeof(SetMasterGain))] = c;
                break;
            case AdmitParticipant c:
                _admittedByCommand[c.ClientName] = c;
                break;
            case RevokeAdmission c:
                _admittedByCommand.TryRemove(c.ClientName, out _);
                break;
            case CloseRoom c:
                foreach (var key in _roomSettings.Keys.Where(k => k.RoomId == c.RoomId))
                {
                    _roomSettings.TryRemove(key, out _);
                }
                foreach (var (name, admitted) in _admittedByCommand.Where(a => a.Value.RoomId == c.RoomId))
                {
                    _admittedByCommand.TryRemove(new KeyValuePair<string, AdmitParticipant>(name, admitted));
                }
                break;
        }
    }

    /// A child engine started (again): every room open on this node opens in it, with its click track, link policy
    /// and master gain, and the names admitted by command are admitted again. The participants of an engine that ended
    /// are gone (they left with <see cref="LeaveReason.EngineStopped"/>) and join again with a new code.
    private Task ReopenRoomsAsync()
    {
        var reopened = 0;
        foreach (var room in _opened.Keys)
        {
            _child?.Post(new OpenRoom(room));
            foreach (var ((roomId, _), setting) in _roomSettings)
            {
                if (roomId == room)
                {
                    _child?.Post(setting);
                }
            }
            reopened++;
        }
        foreach (var admitted in _admittedByCommand.Values)
        {
            _child?.Post(admitted);
        }
        if (reopened > 0)
        {
            logger.LogInformation("Media engine process {ProcessId}: {Rooms} open rooms opened again", _child?.ProcessId, reopened);
        }
        return Task.CompletedTask;
    }

    /// The latest latency figures the engine reported for a media participant (recordings align tracks with them).
    public LatencyEstimate? LatencyOf(int participantId) => _statistics.TryGetValue(participantId, out var latest) ? latest.Latency : null;

    /// The latest statistics of each joined participant, from the engine's statistics events (every few seconds), in
    /// either mode: where their time goes (latency, jitter buffer, hand-overs).
    public IReadOnlyList<ParticipantSnapshot> Statistics => [.. _statistics.Values];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(Drain);
        if (Settings.Process == MediaProcess.Child)
        {
            await StartChildAsync(cancellationToken);
            return;
        }
        var options = new MediaEngineOptions
        {
            BindAddress = Settings.BindIPAddress,
            TcpPort = Settings.JackTripPort,
            UdpBasePort = Settings.UdpBasePort,
            MaxParticipantsPerRoom = LiveRoom.Capacity,
            RealTimePriority = Settings.RealTimePriority,
            MixThreadCpu = Settings.MixThreadCpu,
        };
        _engine = new MediaEngine(options, this, clock);
        _engine.Start();
        var events = _engine.Events;
        _pump = Task.Run(() => PumpEventsAsync(events, _stopping.Token), CancellationToken.None);
        logger.LogInformation("JackTrip hub listening on {EndPoint}", _engine.TcpEndPoint);
    }

    private async Task StartChildAsync(CancellationToken cancellationToken)
    {
        var program = EngineProgram.Find(Settings.EnginePath)
            ?? throw new InvalidOperationException("Media:Process is Child but no engine program was found (Media:EnginePath).");
        var child = new EngineChild(
            new EngineChild.Settings(program, Settings.BindIPAddress, Settings.JackTripPort, Settings.UdpBasePort, LiveRoom.Capacity, Settings.RealTimePriority, Settings.MixThreadCpu)
            {
                RecordingsRoot = services.GetService<EngineRecordingsFolder>()?.Path,
                SilenceLimit = TimeSpan.FromSeconds(Settings.EngineSilenceSeconds),
            },
            this, logger, clock, ReopenRoomsAsync);
        _child = child;
        await child.StartAsync(cancellationToken);
        var events = child.Events;
        _pump = Task.Run(() => PumpEventsAsync(events, _stopping.Token), CancellationToken.None);
        logger.LogInformation("JackTrip hub listening on {Address}:{Port} in media engine process {ProcessId} (Media:Process = Child; control socket in {Folder})",
            Settings.BindIPAddress, child.TcpPort, child.ProcessId, child.SocketFolder);
        logger.LogInformation("The media engine runs in a child process: JackTrip rooms, browser audio, the audience stream and recording work");
    }

    public async ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        // Anyone can open the handshake port: a name must name a room that is open on this node before any grain is
        // called, or every made-up room id would activate a grain (and a stranger could fill the silo with them).
        if (!JackTripCodes.TryReadRoom(request.ClientName, out var roomId) || !_opened.ContainsKey(roomId.ToString("N")))
        {
            return AdmissionDecision.Refuse;
        }
        var redemption = await grains.GetGrain<IRoomGrain>(roomId).RedeemJackTripCodeAsync(request.ClientName);
        return redemption.Admitted ? AdmissionDecision.Admit(roomId.ToString("N"), redemption.Channels) : AdmissionDecision.Refuse;
    }

    /// Off the audio thread: tells each room grain what its participants' media did.
    private async Task PumpEventsAsync(ChannelReader<MediaEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var mediaEvent in events.ReadAllAsync(cancellationToken))
            {
                try
                {
                    if (!Stopping)
                    {
                        await DeliverAsync(mediaEvent);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Media event {Event} not delivered", mediaEvent.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task DeliverAsync(MediaEvent mediaEvent)
    {
        if (mediaEvent is ParticipantStatistics statistics)
        {
            _statistics[statistics.Snapshot.ParticipantId] = statistics.Snapshot;
        }
        else if (mediaEvent is ParticipantLeft gone)
        {
            _statistics.TryRemove(gone.ParticipantId, out _);
        }
        switch (mediaEvent)
        {
            case ParticipantAdmitted admitted when Guid.TryParseExact(admitted.RoomId, "N", out var roomId):
                return grains.GetGrain<IRoomGrain>(roomId).MediaAdmittedAsync(admitted.ClientName, admitted.ParticipantId);
            case ParticipantJoined joined when Guid.TryParseExact(joined.RoomId, "N", out var roomId):
                return grains.GetGrain<IRoomGrain>(roomId).MediaJoinedAsync(joined.ClientName, joined.ParticipantId, joined.InputChannels);
            case ParticipantLeft left when Guid.TryParseExact(left.RoomId, "N", out var roomId):
                return grains.GetGrain<IRoomGrain>(roomId).MediaLeftAsync(left.ParticipantId);
            case ParticipantStatistics { Snapshot: var s } when Guid.TryParseExact(s.RoomId, "N", out var roomId):
                return grains.GetGrain<IRoomGrain>(roomId).MediaStatisticsAsync(
                    s.ParticipantId, s.Latency.NetworkOneWay?.TotalMilliseconds ?? s.Latency.RoundTrip?.TotalMilliseconds / 2,
                    s.Latency.Jitter.TotalMilliseconds, s.DatagramsReceived);
            case ParticipantRefused refused:
                logger.LogInformation("JackTrip client refused from {EndPoint}: {Reason}", refused.RemoteEndPoint, refused.Reason);
                return Task.CompletedTask;
            case MixThreadScheduling { RealTime: true } scheduling:
                logger.LogInformation("Media mix thread: {Detail}", scheduling.Detail);
                return Task.CompletedTask;
            case MixThreadScheduling scheduling:
                logger.LogWarning("Media mix thread runs at normal priority, real-time priority {Priority} {Detail}; audio timing suffers on a busy node", scheduling.Priority, scheduling.Detail);
                return Task.CompletedTask;
            case MixThreadPinned { Refused: null } pinned:
                logger.LogInformation("Media mix thread pinned to CPU {Cpu}", pinned.Cpu);
                return Task.CompletedTask;
            case MixThreadPinned pinned:
                logger.LogWarning("Media mix thread not pinned to CPU {Cpu}: {Reason}", pinned.Cpu, pinned.Refused);
                return Task.CompletedTask;
            case EngineError error:
                logger.LogWarning(error.Exception, "Media engine: {Message}", error.Message);
                return Task.CompletedTask;
            default:
                return Task.CompletedTask;
        }
    }

    /// The node is shutting down: sockets that end now end as "moved", so browsers reconnect elsewhere, and nothing
    /// here calls a room grain any more (a call from this node could place it here again).
    public bool Stopping => _draining || _stopping.IsCancellationRequested;

    /// The first thing a shutdown does (before the web server waits for open sockets and before the silo moves the
    /// room grains): every room's audio here ends as "moved". Pages join again and follow their room to the node it
    /// goes to; until this node's silo has let go of it, a socket that arrives here is told the same.
    private void Drain()
    {
        _draining = true;
        foreach (var mediaRoom in _opened.Keys)
        {
            MoveAway(mediaRoom);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_engine is not null)
        {
            await _engine.StopAsync();
        }
        if (_child is not null)
        {
            await _child.StopAsync();
        }
        if (_pump is not null)
        {
            await _pump.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
        if (_child is not null)
        {
            await _child.DisposeAsync();
        }
        _stopping.Dispose();
    }
}
