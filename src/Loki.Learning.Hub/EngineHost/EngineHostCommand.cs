using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;

namespace Loki.Learning.Hub.EngineHost;

/// <summary>
/// The node's media engine in a process of its own (docs/decisions/0010): owns one <see cref="MediaEngine"/> and serves
/// one control connection at a time on a Unix domain socket (docs/protocol.md §11). Commands from the node go to the
/// engine; its events, the input levels and admission questions go to the node. A frame that does not follow the
/// protocol is answered with an error frame and skipped; the engine never stops for it. The process ends on a stop
/// frame, SIGTERM, or when no node has been connected for <see cref="EngineHostOptions.OrphanTimeout"/> (a node that
/// died does not leave its engine holding the ports).
/// </summary>
public sealed class EngineHostCommand(EngineHostOptions options, TextWriter log) : IAdmissionPolicy
{
    /// <summary>How often the joined participants' input levels go to the node (the room page's meters).</summary>
    private static readonly TimeSpan LevelsInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Level ticks between two <see cref="ControlMessage.MixTiming"/> reports (once a second).</summary>
    private const int TimingEvery = 10;

    private readonly ConcurrentDictionary<uint, TaskCompletionSource<AdmissionDecision>> _admissions = new();
    private readonly ConcurrentDictionary<int, byte> _joined = new();
    private readonly Lock _gate = new();
    private readonly Lock _logGate = new();
    private ControlConnection? _accepted;
    private volatile ControlConnection? _ready;
    private long _alone = Stopwatch.GetTimestamp();
    private uint _nextRequest;
    private EngineAudiences? _audiences;
    private EngineRecordings? _recordings;
    private EngineBrowsers? _browsers;

    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        var engineOptions = new MediaEngineOptions
        {
            BindAddress = options.Bind,
            TcpPort = options.Port,
            UdpBasePort = options.UdpBase,
            MaxParticipantsPerRoom = options.MaxPerRoom,
            RealTimePriority = options.RealTimePriority,
            MixThreadCpu = options.MixThreadCpu,
            ParticipantIdBase = options.ParticipantIdBase,
        };
        await using var engine = new MediaEngine(engineOptions, this);
        try
        {
            engine.Start();
        }
        catch (SocketException exception)
        {
            Write($"engine: cannot listen on {options.Bind}:{options.Port}: {exception.Message}");
            return 1;
        }

        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            BindPrivately(listener, options.ControlPath);
        }
        catch (Exception exception) when (exception is SocketException or IOException or UnauthorizedAccessException)
        {
            Write($"engine: cannot serve the control socket {options.ControlPath}: {exception.Message}");
            return 1;
        }
        Write($"engine: listening on {engine.TcpEndPoint} (TCP), control socket {options.ControlPath}, process {Environment.ProcessId}");
        _audiences = new EngineAudiences(engine, options.ControlPath, Write);
        _recordings = new EngineRecordings(engine, options.RecordingsRoot, Write, ReportTakeAsync);
        _browsers = new EngineBrowsers(engine, options.ControlPath, Write);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var events = PumpEventsAsync(engine, stop.Token);
        var levels = SendLevelsAsync(engine, stop.Token);
        var accepting = AcceptAsync(listener, engine, stop);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(LevelsInterval, stop.Token);
                _browsers.Watch(); // browser participants whose web side closed, died or went silent leave the mix
                if (_accepted is null && Stopwatch.GetElapsedTime(Interlocked.Read(ref _alone)) > options.OrphanTimeout)
                {
                    Write($"engine: no node connected for {options.OrphanTimeout.TotalSeconds:0.#} s; stopping");
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stop frame, SIGTERM, or orphaned.
        }

        Write("engine: stopping");
        listener.Dispose();
        // Takes first, while the mix still runs: every file gets its final header. (A node that asked to stop has
        // stored its takes before; one that is gone finds them at its next start.)
        await _recordings.CloseAllAsync("the engine stops", TimeSpan.FromSeconds(5));
        await engine.StopAsync();
        await Task.WhenAll(events, levels, accepting).ContinueWith(_ => { }, TaskScheduler.Default);
        _audiences.RemoveAll();
        _browsers.RemoveAll();
        TryDelete(options.ControlPath);
        Write(Invariant($"engine: stopped after {engine.PeriodsElapsed} periods, {engine.LatePeriods} late"));
        return 0;
    }

    /// <summary>
    /// Binds the control socket so that only this user can connect: the node gives a path in a directory of its own
    /// (mode 0700), and the socket itself is made 0600 before anyone is accepted.
    /// </summary>
    private static void BindPrivately(Socket listener, string path)
    {
        TryDelete(path); // a socket file left by an engine that was killed
        listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        listener.Listen(4);
    }

    private async Task AcceptAsync(Socket listener, MediaEngine engine, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var connection = new ControlConnection(new NetworkStream(socket, ownsSocket: true));
            bool busy;
            lock (_gate)
            {
                busy = _accepted is not null;
                if (!busy)
                {
                    _accepted = connection;
                }
            }
            if (busy)
            {
                Write("engine: a second control connection was refused (one node drives this engine)");
                _ = RefuseAsync(connection);
                continue;
            }
            _ = ServeAsync(connection, engine, stop);
        }
    }

    private static async Task RefuseAsync(ControlConnection connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await connection.TrySendErrorAsync("Another control connection is active: one node drives this engine. This connection ends.", timeout.Token);
        await connection.DisposeAsync();
    }

    private async Task ServeAsync(ControlConnection connection, MediaEngine engine, CancellationTokenSource stop)
    {
        var token = stop.Token;
        var malformed = 0L;
        try
        {
            using (var helloWait = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                helloWait.CancelAfter(HelloTimeout);
                var first = await connection.ReadFrameAsync(helloWait.Token);
                if (first is null)
                {
                    return;
                }
                var problem = CheckHello(first.Value);
                if (problem is not null)
                {
                    Write($"engine: control connection refused: {problem}");
                    await connection.TrySendErrorAsync(problem + " This connection ends.", token);
                    return;
                }
            }
            var hello = new ControlHello(ControlChannel.Version, engine.TcpEndPoint.Port, Environment.ProcessId);
            await connection.SendAsync(hello, static (w, h) => h.Frame(w), token);
            _ready = connection;
            Write("engine: node connected");

            while (await connection.ReadFrameAsync(token) is { } body)
            {
                string? problem;
                try
                {
                    problem = Handle(body.Span, engine, connection, stop);
                }
                catch (ControlProtocolException exception)
                {
                    malformed++;
                    problem = $"Frame skipped: {exception.Message}";
                    if (malformed <= 10 || malformed % 1000 == 0)
                    {
                        Write($"engine: malformed control frame #{malformed} skipped: {exception.Message}");
                    }
                }
                if (problem is not null)
                {
                    await connection.TrySendErrorAsync(problem, token);
                }
            }
        }
        catch (ControlProtocolException exception)
        {
            // The stream itself is broken (a length out of range, or it ended inside a frame): nothing after it can be read.
            Write($"engine: control connection ended: {exception.Message}");
            await connection.TrySendErrorAsync(exception.Message, token);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The node went away, or the engine stops.
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_ready, connection))
                {
                    _ready = null;
                }
                _accepted = null;
                Interlocked.Exchange(ref _alone, Stopwatch.GetTimestamp());
            }
            foreach (var pending in _admissions.Values)
            {
                pending.TrySetResult(AdmissionDecision.Refuse);
            }
            await connection.DisposeAsync();
            if (!token.IsCancellationRequested && _recordings is { Count: > 0 } recordings)
            {
                // Nobody would store a take that goes on: its files are closed whole now, and the node's start-up repair finds them.
                _ = recordings.CloseAllAsync("the node disconnected", TimeSpan.FromSeconds(30));
            }
            if (!token.IsCancellationRequested)
            {
                Write(Invariant($"engine: node disconnected ({malformed} malformed frames); waiting {options.OrphanTimeout.TotalSeconds:0.#} s for it to come back"));
            }
        }
    }

    private static string? CheckHello(ReadOnlyMemory<byte> body)
    {
        try
        {
            var span = body.Span;
            if ((ControlMessage)span[0] != ControlMessage.Hello)
            {
                return $"The first frame must be a hello, not message type {span[0]}.";
            }
            var reader = new ControlReader(span[1..]);
            var hello = ControlHello.Read(ref reader);
            return hello.Version == ControlChannel.Version
                ? null
                : $"The node speaks control protocol version {hello.Version}; this engine speaks version {ControlChannel.Version}.";
        }
        catch (ControlProtocolException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>Carries out one frame from the node.</summary>
    /// <returns>What to tell the node about it, or <c>null</c>.</returns>
    private string? Handle(ReadOnlySpan<byte> body, MediaEngine engine, ControlConnection connection, CancellationTokenSource stop)
    {
        var type = body[0];
        var reader = new ControlReader(body[1..]);
        switch ((ControlMessage)type)
        {
            case ControlMessage.Command:
                var command = ControlCodec.ReadCommand(ref reader);
                reader.End("a command");
                return engine.Post(command) ? null : $"The engine's command queue is full or the engine is stopping: {command.GetType().Name} dropped.";
            case ControlMessage.AdmissionAnswer:
                var (requestId, decision) = ControlCodec.ReadAdmissionAnswer(ref reader);
                if (_admissions.TryRemove(requestId, out var pending))
                {
                    pending.TrySetResult(decision);
                    return null;
                }
                return Invariant($"Admission answer {requestId} came too late or answers no question; ignored.");
            case ControlMessage.Stop:
                reader.End("a stop");
                Write("engine: the node asked to stop");
                stop.Cancel();
                return null;
            case ControlMessage.Error:
                Write($"engine: the node reported: {reader.String("error text")}");
                return null;
            case ControlMessage.AttachAudience:
                var answer = _audiences!.Attach(AudienceControl.ReadAttach(ref reader));
                _ = SendQuietlyAsync(connection, answer, static (w, a) => AudienceControl.AnswerFrame(w, a), stop.Token);
                return null;
            case ControlMessage.DetachAudience:
                var (roomId, path) = AudienceControl.ReadDetach(ref reader);
                return _audiences!.Detach(roomId, path);
            case ControlMessage.StartRecording:
                var take = _recordings!.Start(RecordingControl.ReadStart(ref reader));
                _ = SendQuietlyAsync(connection, take, static (w, a) => RecordingControl.AnswerFrame(w, a), stop.Token);
                return null;
            case ControlMessage.IncludeInRecording:
                return _recordings!.Include(RecordingControl.ReadInclude(ref reader));
            case ControlMessage.ExcludeFromRecording:
                var (takeFolder, participantId) = RecordingControl.ReadExclude(ref reader);
                return _recordings!.Exclude(takeFolder, participantId);
            case ControlMessage.StopRecording:
                return _recordings!.Stop(RecordingControl.ReadStop(ref reader));
            case ControlMessage.AttachBrowser:
                var browser = _browsers!.Attach(BrowserControl.ReadAttach(ref reader));
                _ = SendQuietlyAsync(connection, browser, static (w, a) => BrowserControl.AnswerFrame(w, a), stop.Token);
                return null;
            case ControlMessage.DetachBrowser:
                var (browserRoom, browserPath) = BrowserControl.ReadDetach(ref reader);
                return _browsers!.Detach(browserRoom, browserPath);
            default:
                throw new ControlProtocolException($"Message type {type} is not one a node sends.");
        }
    }

    public async ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (_ready is not { } connection)
        {
            return AdmissionDecision.Refuse;
        }
        var requestId = Interlocked.Increment(ref _nextRequest);
        var answer = new TaskCompletionSource<AdmissionDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        _admissions[requestId] = answer;
        try
        {
            await connection.SendAsync((requestId, request), static (w, s) => ControlCodec.AdmissionRequestFrame(w, s.requestId, s.request), cancellationToken);
            return await answer.Task.WaitAsync(options.AdmissionTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Write(Invariant($"engine: the node did not answer the admission of '{request.ClientName}' within {options.AdmissionTimeout.TotalMilliseconds:0} ms; refused"));
            return AdmissionDecision.Refuse;
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            return AdmissionDecision.Refuse;
        }
        finally
        {
            _admissions.TryRemove(requestId, out _);
        }
    }

    private async Task PumpEventsAsync(MediaEngine engine, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var mediaEvent in engine.Events.ReadAllAsync(cancellationToken))
            {
                switch (mediaEvent)
                {
                    case CommandRejected { Command: AttachTap attach } rejected:
                        _audiences?.Refused(attach, rejected.Refusal);
                        _recordings?.Refused(attach, rejected.Refusal);
                        continue; // holds an object of this process: it does not cross
                    case CommandRejected { Command: DetachTap }:
                        continue; // the room closed first and detached its taps itself
                    case ParticipantJoined joined:
                        _joined[joined.ParticipantId] = 0;
                        break;
                    case ParticipantLeft left:
                        _joined.TryRemove(left.ParticipantId, out _);
                        break;
                    case EngineError error:
                        Write($"engine: {error.Message}{(error.Exception is null ? "" : " (" + error.Exception.Message + ")")}");
                        break;
                }
                if (_ready is not { } connection)
                {
                    continue; // no node to tell; it learns the state again when it reconnects or restarts the engine
                }
                try
                {
                    await connection.SendAsync(mediaEvent, static (w, e) => ControlCodec.EventFrame(w, e), cancellationToken);
                }
                catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
                {
                    // The node went away; the serving loop notices too.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendLevelsAsync(MediaEngine engine, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(LevelsInterval);
        var ticks = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (++ticks % TimingEvery == 0 && _ready is { } timed)
                {
                    var (longest, over) = _audiences?.TakeTiming() ?? default;
                    var report = new MixTimingReport(engine.PeriodsElapsed, engine.LatePeriods, longest, over);
                    await SendQuietlyAsync(timed, report, static (w, r) => AudienceControl.MixTimingFrame(w, r), cancellationToken);
                }
                if (_ready is not { } connection || _joined.IsEmpty)
                {
                    continue;
                }
                try
                {
                    await connection.SendAsync((engine, _joined), static (w, s) => LevelsFrame(w, s.engine, s._joined), cancellationToken);
                }
                catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A take's files are closed: the node hears what was written, if it is connected.</summary>
    private async Task ReportTakeAsync(TakeEnded ended)
    {
        if (_ready is { } connection)
        {
            await SendQuietlyAsync(connection, ended, static (w, e) => RecordingControl.EndedFrame(w, e), CancellationToken.None);
        }
    }

    /// <summary>Sends a frame; a node that went away meanwhile is noticed by the serving loop, not here.</summary>
    private static async Task SendQuietlyAsync<TState>(ControlConnection connection, TState state, Func<ControlWriter, TState, ReadOnlyMemory<byte>> frame, CancellationToken cancellationToken)
    {
        try
        {
            await connection.SendAsync(state, frame, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static ReadOnlyMemory<byte> LevelsFrame(ControlWriter w, MediaEngine engine, ConcurrentDictionary<int, byte> joined)
    {
        w.Begin(ControlMessage.Levels);
        var ids = joined.Keys.Take(ControlChannel.MaxLevelsPerFrame).ToArray();
        w.Int32(ids.Length);
        foreach (var id in ids)
        {
            engine.TryGetInputLevel(id, out var peak, out var rms);
            w.Int32(id);
            w.Single(peak);
            w.Single(rms);
        }
        return w.End();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Write(string line)
    {
        lock (_logGate)
        {
            log.WriteLine(line);
            log.Flush();
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
