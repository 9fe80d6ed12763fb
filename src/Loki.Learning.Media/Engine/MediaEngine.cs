using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// The data plane of one node: a JackTrip-compatible hub that mixes in process. Clients shake hands over TCP, get a
/// UDP port of their own, and receive a personal mix of their room every period. The control plane steers it with
/// <see cref="Post"/> (never blocks) and follows it through <see cref="Events"/>.
/// </summary>
/// <remarks>
/// Threads: the TCP handshakes run on the thread pool; one dedicated mix thread per engine owns all sockets, rooms
/// and jitter buffers and is paced at one period. <see cref="Post"/>, <see cref="Events"/>, <see cref="AttachExternal"/>,
/// <see cref="TryGetInputLevel"/> and the figure getters are safe from any thread.
/// </remarks>
public sealed class MediaEngine : IAsyncDisposable
{
    /// <summary>
    /// Name of the <see cref="System.Diagnostics.Metrics.Meter"/> the engine publishes its instruments on; each engine
    /// has its own meter whose <see cref="System.Diagnostics.Metrics.Meter.Scope"/> is the engine.
    /// </summary>
    public const string MeterName = "Loki.Learning.Media";

    private readonly IAdmissionPolicy _admissionPolicy;
    private readonly TimeProvider _time;
    private readonly Channel<MediaEvent> _events;
    private readonly EventOutbox _eventOutbox;
    private readonly MixInbox _inbox;
    private readonly MixOutbox _outbox;
    private readonly Admissions _admissions;
    private readonly MixThread _mixThread;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<IPAddress, int> _handshakesByAddress = [];
    private readonly Lock _handshakeGate = new();
    private int _openHandshakes;
    private long _handshakesShed;
    private long _refusalsSinceReport;
    private long _lastRefusalReportAt;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _nextParticipantId;
    private int _state; // 0 new, 1 running, 2 stopped

    /// <summary>Creates an engine; call <see cref="Start"/> to listen.</summary>
    /// <param name="options">Configuration; validated here.</param>
    /// <param name="admissionPolicy">Decides who may join and into which room.</param>
    /// <param name="timeProvider">Clock for timeouts, statistics and arrival times; <see cref="TimeProvider.System"/> when <c>null</c>. The mix thread's pacing always uses the real monotonic clock.</param>
    public MediaEngine(MediaEngineOptions options, IAdmissionPolicy admissionPolicy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(admissionPolicy);
        options.Validate();
        Options = options;
        _admissionPolicy = admissionPolicy;
        _time = timeProvider ?? TimeProvider.System;
        _inbox = new MixInbox(options.CommandQueueCapacity);
        _events = Channel.CreateBounded<MediaEvent>(new BoundedChannelOptions(options.EventQueueCapacity)
        {
            SingleReader = false,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        _admissions = new Admissions(options.MaxClients);
        _eventOutbox = new EventOutbox(_events.Writer);
        _outbox = new MixOutbox(_eventOutbox, this, () => _admissions.Slots.InUse);
        _mixThread = new MixThread(options, _time, _inbox, _outbox, _admissions);
        _nextParticipantId = options.ParticipantIdBase;
    }

    /// <summary>The configuration in use.</summary>
    public MediaEngineOptions Options { get; }

    /// <summary>Joins, leaves, statistics and errors, in order. Oldest events are dropped when nobody reads.</summary>
    public ChannelReader<MediaEvent> Events => _events.Reader;

    /// <summary>Where the TCP handshake listener is bound (valid after <see cref="Start"/>).</summary>
    public IPEndPoint TcpEndPoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The engine has not started.");

    /// <summary>Bytes allocated on the mix thread since it started; flat in steady state.</summary>
    public long MixThreadAllocatedBytes => _mixThread.AllocatedBytes;

    /// <summary>Bytes allocated on the mix thread in one stage of the period (diagnostics for the allocation tests).</summary>
    internal long MixThreadAllocatedBytesIn(MixStage stage) => _mixThread.AllocatedBytesIn(stage);

    /// <summary>Personal mixes sent by the send helpers rather than the mix thread (diagnostics for the tests).</summary>
    internal long HelperSends => _mixThread.HelperSends;

    /// <summary>Mix periods run since start.</summary>
    public long PeriodsElapsed => _mixThread.Periods;

    /// <summary>Times the mix thread fell so far behind (about 100 ms) that it dropped the missed periods instead of catching up.</summary>
    public long ScheduleResynchronisations => _mixThread.Resynchronisations;

    /// <summary>
    /// Mix periods that started more than a whole period after their deadline: the engine's own count of the moments a
    /// client may hear a gap (its jitter buffer may still cover it).
    /// </summary>
    public long LatePeriods => _mixThread.LatePeriods;

    /// <summary>Handshake connections open right now (accepted and not yet answered or closed).</summary>
    public int OpenHandshakes
    {
        get
        {
            lock (_handshakeGate)
            {
                return _openHandshakes;
            }
        }
    }

    /// <summary>
    /// Handshake connections closed on arrival because <see cref="MediaEngineOptions.MaxConcurrentHandshakes"/> or
    /// <see cref="MediaEngineOptions.MaxHandshakesPerAddress"/> were reached.
    /// </summary>
    public long HandshakesShed => Interlocked.Read(ref _handshakesShed);

    /// <summary>JackTrip clients holding a slot (admitted and not yet left).</summary>
    public int ConnectedClients => _admissions.Slots.InUse;

    /// <summary>Binds the TCP listener and starts the handshake loop and the mix thread.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The engine was already started.");
        }
        var listener = new Socket(Options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(Options.BindAddress, Options.TcpPort));
        listener.Listen(64);
        _listener = listener;
        _eventOutbox.Start();
        _mixThread.Start();
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stopping.Token));
    }

    /// <summary>Queues a command for the mix thread. Never blocks.</summary>
    /// <returns><c>false</c> when the queue is full or the engine has stopped.</returns>
    public bool Post(MediaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return _inbox.Commands.TryPost(command);
    }

    /// <summary>
    /// Adds a participant whose audio travels over a transport the engine does not own (a browser's WebSocket). It joins
    /// <paramref name="roomId"/> (opened on demand) at the start of the next period, through the same jitter buffer and
    /// mixer as JackTrip clients: <see cref="ParticipantJoined"/>, <see cref="ParticipantLeft"/> and
    /// <see cref="ParticipantStatistics"/> are raised for it, commands address its <see cref="ExternalParticipant.ParticipantId"/>,
    /// and room capacity applies (a full room makes it leave at once with <see cref="LeaveReason.RoomFull"/>). It takes no
    /// JackTrip slot, no UDP port and no <see cref="ParticipantAdmitted"/> event, and no timeout applies: it stays until
    /// disposed, removed, its room closes or the engine stops. Never blocks.
    /// </summary>
    /// <param name="roomId">The room to join.</param>
    /// <param name="clientName">Name reported in events.</param>
    /// <param name="channels">1 or 2: channels of its input and of its personal mix.</param>
    /// <param name="remoteEndPoint">Where the transport's peer is, for events; <c>0.0.0.0:0</c> (a placeholder) when <c>null</c>.</param>
    /// <param name="jitterBuffer">This participant's jitter-buffer tuning (a room's policy: target and limits), or
    /// <c>null</c> for <see cref="MediaEngineOptions.ExternalJitterBuffer"/>; the engine sets its sample rate and clock.</param>
    /// <returns>The participant's end of the queues; dispose it to leave.</returns>
    /// <exception cref="InvalidOperationException">The engine is not running.</exception>
    public ExternalParticipant AttachExternal(string roomId, string clientName, int channels, IPEndPoint? remoteEndPoint = null, JitterBufferOptions? jitterBuffer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentNullException.ThrowIfNull(clientName);
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "An external participant has 1 or 2 channels.");
        }
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The engine is not running.");
        }
        return Attach(roomId, clientName, ParticipantRingLayout.For(channels, Options.PeriodFrames, Options.SampleRate), null, remoteEndPoint, jitterBuffer);
    }

    /// <summary>
    /// As <see cref="AttachExternal"/>, with the participant's
    /// queues in a file shared with the process that runs its transport (<see cref="ParticipantRingFile.Create"/> made it;
    /// that process opens its end with <see cref="SharedParticipantTransport.Open"/>). The returned object's mix-thread
    /// side is used here; its <see cref="ExternalParticipant.WriteInput"/> and <see cref="ExternalParticipant.TryReadOutput"/>
    /// belong to the other process and must not be called in this one. Leaving closes the engine's end in the file.
    /// </summary>
    /// <exception cref="RingFormatException">The file is not participant rings for this engine's period and sample rate.</exception>
    /// <exception cref="InvalidOperationException">The engine is not running.</exception>
    public ExternalParticipant AttachSharedExternal(string roomId, string clientName, MappedRingMemory rings, IPEndPoint? remoteEndPoint = null, JitterBufferOptions? jitterBuffer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentNullException.ThrowIfNull(clientName);
        ArgumentNullException.ThrowIfNull(rings);
        var layout = ParticipantRingLayout.FromHeader(rings);
        if (layout.PeriodFrames != Options.PeriodFrames || layout.SampleRate != Options.SampleRate)
        {
            throw new RingFormatException($"The rings are for {layout.PeriodFrames} frames at {layout.SampleRate} Hz; the engine runs {Options.PeriodFrames} at {Options.SampleRate}.");
        }
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The engine is not running.");
        }
        return Attach(roomId, clientName, layout, rings, remoteEndPoint, jitterBuffer);
    }

    private ExternalParticipant Attach(string roomId, string clientName, ParticipantRingLayout layout, RingMemory? rings, IPEndPoint? remoteEndPoint, JitterBufferOptions? jitterBuffer)
    {
        var participantId = Interlocked.Increment(ref _nextParticipantId);
        var level = new InputLevelMeter(InputLevelMeter.WindowPeriodsFor(Options.PeriodFrames, Options.SampleRate));
        var tuning = jitterBuffer is null ? null : jitterBuffer with { SampleRate = Options.SampleRate, TimestampFrequency = _time.TimestampFrequency };
        var external = new ExternalParticipant(participantId, layout, rings, _time, level, _inbox.Detach, tuning);
        _inbox.Attach(new ExternalSession(external, clientName, roomId, remoteEndPoint ?? new IPEndPoint(IPAddress.Any, 0), _time.GetTimestamp()));
        if (Volatile.Read(ref _state) != 1)
        {
            external.MarkLeft(); // stopping raced with us: the mix thread may never see it
        }
        return external;
    }

    /// <summary>
    /// The latest input level of a joined participant (JackTrip or external): peak and RMS over the last ~100 ms, linear
    /// 0..1, after its jitter buffer and before mute. Any thread; allocation-free.
    /// </summary>
    /// <returns><c>false</c> (and zeros) when no such participant has joined.</returns>
    public bool TryGetInputLevel(int participantId, out float peak, out float rms)
    {
        if (_outbox.TryGetLevel(participantId, out var level))
        {
            (peak, rms) = level.Read();
            return true;
        }
        peak = 0f;
        rms = 0f;
        return false;
    }

    /// <summary>The engine's added latency (datagram read → mixed datagrams sent) since start or the last reset.</summary>
    public AddedLatencySnapshot GetAddedLatency() => _outbox.AddedLatency.Snapshot();

    /// <summary>Forgets the added-latency measurements (e.g. after a benchmark's warm-up).</summary>
    public void ResetAddedLatency() => _outbox.AddedLatency.Reset();

    /// <summary>The figures of every client as of the last statistics interval.</summary>
    public IReadOnlyList<ParticipantSnapshot> GetParticipantSnapshots() => _outbox.Snapshots;

    /// <summary>Stops listening, sends every client the exit datagrams, and stops the mix thread.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }
        _stopping.Cancel();
        _listener?.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on stop.
        }
        _inbox.Commands.Close();
        await Task.Run(_mixThread.Stop).ConfigureAwait(false);
        await Task.Run(_eventOutbox.Stop).ConfigureAwait(false);
        _events.Writer.TryComplete();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _outbox.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener!.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception)
            {
                Report(new EngineError(_time.GetUtcNow(), "Accepting a handshake connection failed.", exception));
                continue;
            }
            if (!TryEnterHandshake(connection))
            {
                Shed(connection);
                continue;
            }
            _ = HandshakeAsync(connection, cancellationToken);
        }
    }

    /// <summary>Counts a new handshake connection against the global and per-address caps.</summary>
    /// <returns><c>false</c> (and nothing counted) when a cap is reached.</returns>
    private bool TryEnterHandshake(Socket connection)
    {
        if (RemoteOf(connection) is not { } remote)
        {
            return false;
        }
        lock (_handshakeGate)
        {
            var fromAddress = _handshakesByAddress.GetValueOrDefault(remote.Address);
            if (_openHandshakes >= Options.MaxConcurrentHandshakes || fromAddress >= Options.MaxHandshakesPerAddress)
            {
                return false;
            }
            _openHandshakes++;
            _handshakesByAddress[remote.Address] = fromAddress + 1;
            return true;
        }
    }

    private void LeaveHandshake(IPAddress address)
    {
        lock (_handshakeGate)
        {
            _openHandshakes--;
            var fromAddress = _handshakesByAddress.GetValueOrDefault(address) - 1;
            if (fromAddress <= 0)
            {
                _handshakesByAddress.Remove(address);
            }
            else
            {
                _handshakesByAddress[address] = fromAddress;
            }
        }
    }

    /// <summary>The peer of an accepted connection, or <c>null</c> when it is already gone.</summary>
    private static IPEndPoint? RemoteOf(Socket connection)
    {
        try
        {
            return connection.RemoteEndPoint as IPEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Closes a connection over the caps at once, with a reset so it leaves no TIME_WAIT behind.</summary>
    private void Shed(Socket connection)
    {
        var remote = RemoteOf(connection) ?? new IPEndPoint(IPAddress.Any, 0);
        try
        {
            connection.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        connection.Dispose();
        Interlocked.Increment(ref _handshakesShed);
        ReportRefusal("", remote, $"Too many handshakes at once (at most {Options.MaxConcurrentHandshakes}, {Options.MaxHandshakesPerAddress} per address); closed on arrival.");
    }

    /// <summary>
    /// Reports a refused handshake, at most once per <see cref="MediaEngineOptions.RejectionReportInterval"/>: anyone can
    /// open connections, and a flood of refusals must not push other events out of the queue (or fill a log). The
    /// report says how many refusals went unreported before it.
    /// </summary>
    private void ReportRefusal(string name, IPEndPoint remote, string reason)
    {
        var suppressed = Interlocked.Increment(ref _refusalsSinceReport) - 1;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastRefusalReportAt);
        if ((last != 0 && _time.GetElapsedTime(last, now) < Options.RejectionReportInterval)
            || Interlocked.CompareExchange(ref _lastRefusalReportAt, now, last) != last)
        {
            return;
        }
        Interlocked.Add(ref _refusalsSinceReport, -(suppressed + 1));
        Report(new ParticipantRefused(_time.GetUtcNow(), name, remote,
            suppressed == 0 ? reason : $"{reason} ({suppressed} earlier refusals not reported)"));
    }

    private async Task HandshakeAsync(Socket connection, CancellationToken cancellationToken)
    {
        var remote = (IPEndPoint)connection.RemoteEndPoint!;
        try
        {
            await ShakeHandsAsync(connection, remote, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.Dispose();
            LeaveHandshake(remote.Address);
        }
    }

    private async Task ShakeHandsAsync(Socket connection, IPEndPoint remote, CancellationToken cancellationToken)
    {
        try
        {
            connection.NoDelay = true;
            // Both limits read the injected clock, so tests drive them.
            using var overall = new CancellationTokenSource(Options.HandshakeTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token);
            var message = new byte[JackTripHandshake.RequestWithNameLength];
            // The request must come quickly: an idle connection is closed after HandshakeIdleTimeout (read on the
            // injected clock), whatever the overall timeout.
            using var idle = new CancellationTokenSource(Options.HandshakeIdleTimeout, _time);
            using var requestWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, idle.Token);
            var received = await ReadHandshakeAsync(connection, message, requestWait.Token, timeout.Token).ConfigureAwait(false);
            if (received == JackTripHandshake.RequestWithNameLength && connection.Available > 0)
            {
                received = -1; // more than a request: refuse as malformed
            }

            var error = received < 0 ? JackTripError.HandshakeLengthInvalid : JackTripHandshake.TryParseRequest(message.AsSpan(0, received), out _);
            if (error != JackTripError.None)
            {
                ReportRefusal("", remote, JackTripDatagram.Describe(error));
                return;
            }
            JackTripHandshake.TryParseRequest(message.AsSpan(0, received), out var request);
            var name = request.GetName();
            var announcedPort = request.UdpPort;
            if (request.WantsAuthentication)
            {
                // This hub does not speak JackTrip's TLS authentication; admission is by name instead.
                await ReplyAsync(connection, JackTripAuthCode.AuthenticationNotRequired, timeout.Token).ConfigureAwait(false);
                ReportRefusal(name, remote, "TLS authentication is not supported; connect without -A.");
                return;
            }

            var decision = await DecideAsync(name, remote, timeout.Token).ConfigureAwait(false);
            if (!decision.Admitted)
            {
                await ReplyAsync(connection, JackTripAuthCode.AuthenticationRequired, timeout.Token).ConfigureAwait(false);
                ReportRefusal(name, remote, "Not admitted.");
                return;
            }

            var slot = _admissions.Slots.TryReserve();
            if (slot < 0)
            {
                ReportRefusal(name, remote, "The hub is full.");
                return;
            }
            Socket udp;
            try
            {
                udp = new Socket(Options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
                udp.Bind(new IPEndPoint(UdpAddressFor(connection), Options.UdpBasePort == 0 ? 0 : Options.UdpBasePort + slot));
            }
            catch (SocketException exception)
            {
                _admissions.Slots.Release(slot);
                Report(new EngineError(_time.GetUtcNow(), "Binding a client's UDP port failed.", exception));
                return;
            }
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            var participantId = Interlocked.Increment(ref _nextParticipantId);
            var roundTrip = TcpRoundTrip.TryMeasure(connection);
            var level = new InputLevelMeter(InputLevelMeter.WindowPeriodsFor(Options.PeriodFrames, Options.SampleRate));
            var announced = new IPEndPoint(remote.Address, announcedPort);
            var session = new JackTripSession(participantId, slot, name, decision.RoomId, decision.Channels, udp, port, _time.GetTimestamp(), level, announced)
            {
                HandshakeRoundTrip = roundTrip,
            };
            // Queued before it is reported: a command that answers the report finds the session (see MixState.FindCommanded).
            _inbox.Attach(session);
            Report(new ParticipantAdmitted(_time.GetUtcNow(), participantId, decision.RoomId, name, port, roundTrip));
            await ReplyAsync(connection, (uint)port, timeout.Token).ConfigureAwait(false);
            connection.Shutdown(SocketShutdown.Both);
        }
        catch (OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                ReportRefusal("", remote, "The handshake timed out.");
            }
        }
        catch (SocketException exception)
        {
            Report(new EngineError(_time.GetUtcNow(), "A handshake connection failed.", exception));
        }
    }

    /// <summary>
    /// The address a client's UDP socket binds to. On a wildcard IPv4 bind, the address the handshake arrived at: the
    /// client sends its audio to the host it dialled, so the port need not be open on the node's other interfaces.
    /// </summary>
    private IPAddress UdpAddressFor(Socket connection) =>
        Options.BindAddress.Equals(IPAddress.Any) && connection.LocalEndPoint is IPEndPoint { AddressFamily: AddressFamily.InterNetwork } local
            ? local.Address
            : Options.BindAddress;

    /// <returns>Bytes received (4 or 68 when well formed).</returns>
    private async Task<int> ReadHandshakeAsync(Socket connection, byte[] message, CancellationToken requestWait, CancellationToken cancellationToken)
    {
        var received = 0;
        while (received < JackTripHandshake.PortOnlyLength)
        {
            var count = await connection.ReceiveAsync(message.AsMemory(received), SocketFlags.None, requestWait).ConfigureAwait(false);
            if (count == 0)
            {
                return received;
            }
            received += count;
        }

        // Older clients send only the port; give the name a short while to follow.
        using var nameWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        nameWait.CancelAfter(Options.HandshakeNameWait);
        try
        {
            while (received < message.Length)
            {
                var count = await connection.ReceiveAsync(message.AsMemory(received), SocketFlags.None, nameWait.Token).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }
                received += count;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No (more) name bytes: an old client.
        }
        return received;
    }

    private async Task<AdmissionDecision> DecideAsync(string name, IPEndPoint remote, CancellationToken cancellationToken)
    {
        if (_admissions.TryGetPosted(name, out var posted))
        {
            return posted;
        }
        try
        {
            var decision = await _admissionPolicy.DecideAsync(new AdmissionRequest(name, remote), cancellationToken).ConfigureAwait(false);
            return decision.Admitted && !string.IsNullOrEmpty(decision.RoomId) ? decision : AdmissionDecision.Refuse;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Report(new EngineError(_time.GetUtcNow(), "The admission policy failed; the client was refused.", exception));
            return AdmissionDecision.Refuse;
        }
    }

    private static async Task ReplyAsync(Socket connection, uint value, CancellationToken cancellationToken)
    {
        var reply = new byte[JackTripHandshake.ResponseLength];
        JackTripHandshake.TryWriteResponse(reply, value);
        await connection.SendAsync(reply, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    private void Report(MediaEvent mediaEvent) => _events.Writer.TryWrite(mediaEvent);
}
