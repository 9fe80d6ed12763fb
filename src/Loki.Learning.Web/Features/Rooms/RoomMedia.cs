using System.Collections.Concurrent;
using System.Net;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Rooms;

/// This node's media engine: a JackTrip-compatible hub whose admission asks the room grains, and whose
/// events flow back to them. Room grains active on this node post commands here (never blocking).
/// Configuration: <see cref="MediaOptions"/>.
public sealed class RoomMedia(IOptions<MediaOptions> settings, IGrainFactory grains, ILogger<RoomMedia> logger, TimeProvider clock, IServiceProvider services)
    : IHostedService, IAdmissionPolicy, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _moving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _opened = new(StringComparer.Ordinal);
    private volatile bool _draining;

    private MediaEngine? _engine;
    private Task? _pump;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, LatencyEstimate> _latency = new();

    private MediaOptions Settings => settings.Value;

    public bool Enabled => Settings.Enabled;

    /// Where native clients connect: the configured public host, and the bound TCP port.
    public string PublicHost => Settings.PublicHost is { Length: > 0 } host ? host : "127.0.0.1";

    public int JackTripPort => _engine?.TcpEndPoint.Port ?? Settings.JackTripPort;

    public MediaEngine? Engine => _engine;

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
        return _engine?.Post(command) ?? false;
    }

    /// The latest latency figures the engine reported for a media participant (recordings align tracks with them).
    public LatencyEstimate? LatencyOf(int participantId) => _latency.TryGetValue(participantId, out var latency) ? latency : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
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
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(Drain);
        _engine = new MediaEngine(options, this, clock);
        _engine.Start();
        _pump = Task.Run(() => PumpEventsAsync(_engine, _stopping.Token), CancellationToken.None);
        logger.LogInformation("JackTrip hub listening on {EndPoint}", _engine.TcpEndPoint);
        return Task.CompletedTask;
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
    private async Task PumpEventsAsync(MediaEngine engine, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var mediaEvent in engine.Events.ReadAllAsync(cancellationToken))
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
            _latency[statistics.Snapshot.ParticipantId] = statistics.Snapshot.Latency;
        }
        else if (mediaEvent is ParticipantLeft gone)
        {
            _latency.TryRemove(gone.ParticipantId, out _);
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
        _stopping.Dispose();
    }
}
