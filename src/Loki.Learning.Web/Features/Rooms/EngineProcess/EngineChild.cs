using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// The node's media engine in a child process (docs/decisions/0010): starts the Hub in its <c>engine</c> mode on a
/// private Unix socket, drives it over the control channel (docs/protocol.md §11), and starts it again with a growing
/// delay when it ends. What the node reads synchronously (the JackTrip port, input levels) is a copy kept here from
/// the child's hello, events and level frames, so nothing on the node ever waits for the child.
/// Threads: <see cref="Post"/> and the getters from any thread; one reader and one writer task per child; the
/// supervision on its own task.
public sealed partial class EngineChild : IAsyncDisposable
{
    /// What the child is started with (the node's <c>Media</c> settings).
    public sealed record Settings(string Program, IPAddress Bind, int Port, int UdpBase, int MaxPerRoom, int RealTimePriority, int MixThreadCpu)
    {
        /// The node's recordings folder: the child records takes only into folders directly in it (<c>--recordings</c>).
        public string? RecordingsRoot { get; init; }

        /// The heartbeat: a child that sends nothing for this long (its mix timing comes every second) is hung, and is
        /// killed and started again.
        public TimeSpan SilenceLimit { get; init; } = TimeSpan.FromSeconds(5);
    }

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HelloLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(5);

    /// Shorter than the child's own wait for an answer (3 s), so the node's refusal, not the child's timeout, is what a
    /// client gets when a grain is slow.
    private static readonly TimeSpan AdmissionLimit = TimeSpan.FromSeconds(2.5);

    /// How long the node waits for the child to make an audience ring.
    private static readonly TimeSpan AudienceLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    /// A child that ran this long before it ended counts as healthy: the next restart waits the shortest delay again.
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(30);

    private readonly Settings _settings;
    private readonly IAdmissionPolicy _admission;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Func<Task> _started;
    private readonly Channel<MediaEvent> _events = Channel.CreateBounded<MediaEvent>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
    private readonly ConcurrentDictionary<int, (float Peak, float Rms)> _levels = new();
    private readonly ConcurrentDictionary<int, (string RoomId, string ClientName)> _participants = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AudienceRingAnswer>> _audienceAnswers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<BrowserRingAnswer>> _browserAnswers = new(StringComparer.Ordinal);
    private readonly SharedTransportPoller _poller = new();
    private int _browserRings;
    private readonly Lock _timingGate = new();
    private MixTimingReport _timing;
    private TimeSpan _longestSinceReset;
    private long _longSinceReset;
    private int _rings;
    private volatile Session? _session;
    private Task _supervision = Task.CompletedTask;
    private int _highestParticipantId;
    private int _port;
    private int _launches;
    private int _starts;

    /// <param name="started">Called after every start (the first and each restart), once commands can be posted.</param>
    public EngineChild(Settings settings, IAdmissionPolicy admission, ILogger logger, TimeProvider clock, Func<Task> started)
    {
        _settings = settings;
        _admission = admission;
        _logger = logger;
        _clock = clock;
        _started = started;
        _port = settings.Port;
        _folder = PrivateFolder();
    }

    /// The child's events, and a <see cref="ParticipantLeft"/> (<see cref="LeaveReason.EngineStopped"/>) for every
    /// participant of a child that ended, before the next one starts.
    public ChannelReader<MediaEvent> Events => _events.Reader;

    /// The JackTrip TCP port the child listens on (after the first start; a restarted child binds the same port).
    public int TcpPort => _port;

    /// The running child's process id, or null between an end and the next start.
    public int? ProcessId => _session?.ProcessId;

    /// How many times a child has started and said hello (1 after the first start).
    public int Starts => Volatile.Read(ref _starts);

    /// The folder of the control socket (mode 0700).
    public string SocketFolder => _folder;

    /// Queues a command for the child. Never blocks.
    /// <returns>false when no child is connected, the queue is full, or the command cannot cross the channel.</returns>
    public bool Post(MediaCommand command) =>
        ControlCodec.CanCarry(command) && _session is { } session && session.Commands.Writer.TryWrite(command);

    /// A child is connected and the node has opened its rooms in it again (commands posted now follow those).
    public bool Ready => _session is { Ready: true };

    /// The child's mix thread as of its last report (once a second): periods and late periods since it started, and
    /// the longest interval between two periods and the intervals over 1.5 periods since <see cref="ResetTiming"/>, as
    /// its audience taps saw them (zero while it has none).
    public (long Periods, long Late, TimeSpan Longest, long LongIntervals) Timing
    {
        get
        {
            lock (_timingGate)
            {
                return (_timing.Periods, _timing.LatePeriods, _longestSinceReset, _longSinceReset);
            }
        }
    }

    /// Starts the longest interval and the count of long intervals of <see cref="Timing"/> again.
    public void ResetTiming()
    {
        lock (_timingGate)
        {
            _longestSinceReset = TimeSpan.Zero;
            _longSinceReset = 0;
        }
    }

    /// Asks the child to tap <paramref name="mediaRoom"/>'s mix into a new ring file in the private folder, and maps it.
    /// <exception cref="InvalidOperationException">No child is ready, it refused, or it did not answer in time.</exception>
    /// <returns>The reader, the ring file's path, and the process id of the child that writes it.</returns>
    public async Task<(SharedAudienceReader Reader, string Path, int ProcessId)> AttachAudienceAsync(string mediaRoom, CancellationToken cancellationToken)
    {
        var name = new string(mediaRoom.Where(char.IsAsciiLetterOrDigit).Take(64).ToArray());
        var path = Path.Combine(_folder, Invariant($"audience-{name}-{Interlocked.Increment(ref _rings)}.ring"));
        var request = new AudienceRingRequest(mediaRoom, path, (ulong)Random.Shared.NextInt64(1, long.MaxValue));
        var (_, processId) = await AskForRingAsync(request, path, _audienceAnswers, static a => a.Refusal, "the audience ring", cancellationToken);
        try
        {
            return (SharedAudienceReader.Open(path, request.Generation), path, processId);
        }
        catch
        {
            DeleteRing(path);
            throw;
        }
    }

    /// Sends the ready child a request for a ring file at <paramref name="path"/> and waits for its answer (matched by
    /// the path). The file is removed when the child refuses, does not answer in time, or the wait is cancelled.
    /// <exception cref="InvalidOperationException">No child is ready, it refused, or it did not answer in time.</exception>
    /// <returns>The answer, and the process id of the child that made the ring.</returns>
    private async Task<(TAnswer Answer, int ProcessId)> AskForRingAsync<TAnswer>(object request, string path,
        ConcurrentDictionary<string, TaskCompletionSource<TAnswer>> answers, Func<TAnswer, string?> refusalOf, string what, CancellationToken cancellationToken)
    {
        if (_session is not { Ready: true } session)
        {
            throw new InvalidOperationException("No media engine process is running.");
        }
        var answer = new TaskCompletionSource<TAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        answers[path] = answer;
        try
        {
            if (!session.Commands.Writer.TryWrite(request))
            {
                throw new InvalidOperationException("The media engine process's command queue is full.");
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.End.Token);
            limit.CancelAfter(AudienceLimit);
            TAnswer answered;
            try
            {
                answered = await answer.Task.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(Invariant($"The media engine process {session.ProcessId} did not make {what} within {AudienceLimit.TotalSeconds:0} s."));
            }
            if (refusalOf(answered) is { } refusal)
            {
                throw new InvalidOperationException($"The media engine process refused {what}: {refusal}");
            }
            return (answered, session.ProcessId);
        }
        catch
        {
            DeleteRing(path);
            throw;
        }
        finally
        {
            answers.TryRemove(path, out _);
        }
    }

    /// Asks the child to attach a browser participant whose audio crosses in a new ring file in the private folder
    /// (docs/protocol.md §11.5), and maps the web side's end. Every transport of this node waits through one poller
    /// thread, which also notices a child that is gone (<see cref="SharedParticipantTransport.EngineGone"/>).
    /// <exception cref="InvalidOperationException">No child is ready, it refused, or it did not answer in time.</exception>
    /// <returns>The transport, the engine's participant id, the ring file's path and the process id of the child.</returns>
    public async Task<(SharedParticipantTransport Transport, int ParticipantId, string Path, int ProcessId)> AttachBrowserAsync(
        string mediaRoom, string clientName, int channels, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, Invariant($"browser-{Interlocked.Increment(ref _browserRings)}-{Guid.NewGuid():N}.ring"));
        var request = new BrowserRingRequest(mediaRoom, clientName, channels, path, (ulong)Random.Shared.NextInt64(1, long.MaxValue));
        var (answer, processId) = await AskForRingAsync(request, path, _browserAnswers, static a => a.Refusal, "the browser participant's ring", cancellationToken);
        try
        {
            return (SharedParticipantTransport.OpenWithPoller(path, request.Generation, _poller), answer.ParticipantId, path, processId);
        }
        catch
        {
            DetachBrowser(mediaRoom, path, processId); // the child made it and mixes the participant: it leaves there too
            throw;
        }
    }

    /// The browser participant of the ring at <paramref name="path"/> leaves: the child that made it (process
    /// <paramref name="madeBy"/>) is told, if it still runs, and the file is removed. (A child that lost its node's end
    /// lets the participant go by itself within 2 s: the transport's heartbeat stops.)
    public void DetachBrowser(string mediaRoom, string path, int madeBy)
    {
        if (_session is { } session && session.ProcessId == madeBy)
        {
            session.Commands.Writer.TryWrite(new BrowserDetach(mediaRoom, path));
        }
        DeleteRing(path);
    }

    /// Removes the ring file at <paramref name="path"/>, and tells the child that made it (process
    /// <paramref name="madeBy"/>) to stop tapping the room into it, if that child still runs (it removes the file too;
    /// a child that ended cannot).
    public void DetachAudience(string mediaRoom, string path, int? madeBy)
    {
        if (_session is { } session && session.ProcessId == madeBy)
        {
            session.Commands.Writer.TryWrite(new AudienceDetach(mediaRoom, path));
        }
        DeleteRing(path);
    }

    private void DeleteRing(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // The node stopped its engine and removed the folder already.
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Ring file {Path} not removed: {Reason}", path, exception.Message);
        }
    }

    /// The participant's input level as of the child's last level frame (about 100 ms old at most).
    public bool TryGetInputLevel(int participantId, out float peak, out float rms)
    {
        if (_levels.TryGetValue(participantId, out var level))
        {
            (peak, rms) = level;
            return true;
        }
        peak = 0f;
        rms = 0f;
        return false;
    }

    /// Starts the first child and waits for its hello; throws when it cannot start (the node does not start either).
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _session = await LaunchAsync(cancellationToken);
        Interlocked.Increment(ref _starts);
        _supervision = Task.Run(SuperviseAsync, CancellationToken.None);
        await _started();
        _session.Ready = true;
    }

    /// Stops the child: a stop frame (clients get the exit datagrams), then SIGKILL if it has not exited in time.
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync();
        if (_session is { } session)
        {
            try
            {
                using var timeout = new CancellationTokenSource(StopLimit);
                await session.Connection.SendAsync(0, static (w, _) =>
                {
                    w.Begin(ControlMessage.Stop);
                    return w.End();
                }, timeout.Token);
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Already gone; ended below.
            }
            var exit = await EndAsync(session, StopLimit);
            LoseTakes(session.ProcessId, exit);
        }
        await _supervision.ContinueWith(_ => { }, TaskScheduler.Default);
        _poller.Dispose();
        _events.Writer.TryComplete();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    /// A folder only this user can enter, for the control socket: in $XDG_RUNTIME_DIR when there is one (a tmpfs of the
    /// user's own), else in the temporary folder.
    private static string PrivateFolder()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (runtime is { Length: > 0 } && Directory.Exists(runtime) && !OperatingSystem.IsWindows())
        {
            var path = Path.Combine(runtime, "loki-engine-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }
        // Created with mode 0700 on Unix.
        return Directory.CreateTempSubdirectory("loki-engine-").FullName;
    }

    private async Task SuperviseAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var session = _session!;
            await session.Completion.ContinueWith(_ => { }, TaskScheduler.Default);
            var ranFor = Stopwatch.GetElapsedTime(session.StartedAt);
            var exit = await EndAsync(session, TimeSpan.Zero);
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            _session = null;
            ForgetParticipants();
            LoseTakes(session.ProcessId, exit);
            failures = ranFor > Healthy ? 0 : failures + 1;
            _logger.LogError("Media engine process {ProcessId} ended after {Seconds:F1} s ({Exit}); every JackTrip client of this node was disconnected, starting it again",
                session.ProcessId, ranFor.TotalSeconds, exit);
            while (!_stopping.IsCancellationRequested)
            {
                var delay = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(failures - 1, 10)));
                try
                {
                    // Real time, not the injected clock: a restart must not wait for a test's clock to be advanced.
                    await Task.Delay(delay, _stopping.Token);
                    _session = await LaunchAsync(_stopping.Token);
                    Interlocked.Increment(ref _starts);
                    _logger.LogWarning("Media engine process started again after {Delay} ms: process {ProcessId}, JackTrip hub on port {Port}; the open rooms are opened in it again",
                        delay.TotalMilliseconds, _session.ProcessId, _port);
                    await _started();
                    _session.Ready = true;
                    break;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    failures++;
                    _logger.LogError(exception, "Media engine process could not start (attempt {Attempt})", failures);
                }
            }
        }
    }

    /// Every participant of the child that ended has left: the room grains hear it as they would from the engine.
    private void ForgetParticipants()
    {
        var now = _clock.GetUtcNow();
        foreach (var (id, (roomId, name)) in _participants)
        {
            _events.Writer.TryWrite(new ParticipantLeft(now, id, roomId, name, LeaveReason.EngineStopped));
        }
        _participants.Clear();
        _levels.Clear();
    }

    /// Ends a child's connection and process: waits up to <paramref name="grace"/> for it to exit, then kills it.
    /// <returns>How it ended, for the log.</returns>
    /// The supervision and a stop may both end a session: the first call does it, the other waits for the same end.
    private Task<string> EndAsync(Session session, TimeSpan grace)
    {
        lock (session)
        {
            return session.Ending ??= EndOnceAsync(session, grace);
        }
    }

    private async Task<string> EndOnceAsync(Session session, TimeSpan grace)
    {
        var process = session.Process;
        try
        {
            if (!process.HasExited && grace > TimeSpan.Zero)
            {
                using var wait = new CancellationTokenSource(grace);
                await process.WaitForExitAsync(wait.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            if (!process.HasExited)
            {
                process.Kill();
            }
            using var exitWait = new CancellationTokenSource(StopLimit);
            await process.WaitForExitAsync(exitWait.Token);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile, or will be reaped later.
        }
        await session.End.CancelAsync();
        await session.Connection.DisposeAsync();
        try
        {
            File.Delete(session.SocketPath); // a killed child leaves its socket file behind
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
        var how = process.HasExited
            ? process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128}" : $"exit code {process.ExitCode}"
            : "still running";
        process.Dispose();
        return how;
    }

    private async Task<Session> LaunchAsync(CancellationToken cancellationToken)
    {
        var launch = Interlocked.Increment(ref _launches);
        var socketPath = Path.Combine(_folder, Invariant($"engine-{launch}.sock"));
        var arguments = new[]
        {
            "engine", "--control", socketPath,
            "--bind", _settings.Bind.ToString(),
            "--port", Invariant($"{_port}"),
            "--udp-base", Invariant($"{_settings.UdpBase}"),
            "--max-per-room", Invariant($"{_settings.MaxPerRoom}"),
            "--rt-priority", Invariant($"{_settings.RealTimePriority}"),
            "--mix-cpu", Invariant($"{_settings.MixThreadCpu}"),
            "--first-participant-id", Invariant($"{Volatile.Read(ref _highestParticipantId) + 1}"),
        };
        if (_settings.RecordingsRoot is { } recordings)
        {
            arguments = [.. arguments, "--recordings", recordings];
        }
        var process = new Process { StartInfo = EngineProgram.StartInfo(_settings.Program, arguments) };
        process.OutputDataReceived += (_, line) => LogChildLine(line.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, line) => LogChildLine(line.Data, LogLevel.Warning);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var processId = process.Id;
        ControlConnection? connection = null;
        try
        {
            var socket = await ConnectAsync(socketPath, process, cancellationToken);
            connection = new ControlConnection(new NetworkStream(socket, ownsSocket: true));
            var hello = await ShakeHandsAsync(connection, cancellationToken);
            _port = hello.TcpPort;
            var session = new Session(process, processId, socketPath, connection, Stopwatch.GetTimestamp());
            session.Completion = Task.WhenAll(
                Task.Run(() => ReadAsync(session), CancellationToken.None),
                Task.Run(() => WriteAsync(session), CancellationToken.None),
                Task.Run(() => WatchAsync(session), CancellationToken.None));
            return session;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
            throw;
        }
    }

    private void LogChildLine(string? line, LogLevel level)
    {
        if (line is not null)
        {
            _logger.Log(level, "Media engine process: {Line}", line);
        }
    }

    /// Connects once the child has opened its socket (it binds it after its JackTrip listener).
    private static async Task<Socket> ConnectAsync(string socketPath, Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartLimit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(Invariant($"The media engine process exited with code {process.ExitCode} before it opened its control socket (its output is in the log above)."));
            }
            if (File.Exists(socketPath))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return socket;
                }
                catch (SocketException)
                {
                    socket.Dispose(); // bound but not yet listening
                }
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The media engine process did not open its control socket {socketPath} within {StartLimit.TotalSeconds:0} s.");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<ControlHello> ShakeHandsAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HelloLimit);
        await connection.SendAsync(new ControlHello(ControlChannel.Version, 0, 0), static (w, h) => h.Frame(w), timeout.Token);
        var body = await connection.ReadFrameAsync(timeout.Token)
            ?? throw new InvalidOperationException("The media engine process closed the control connection before its hello.");
        var reader = new ControlReader(body.Span[1..]);
        switch ((ControlMessage)body.Span[0])
        {
            case ControlMessage.Hello:
                var hello = ControlHello.Read(ref reader);
                return hello.Version == ControlChannel.Version
                    ? hello
                    : throw new InvalidOperationException($"The media engine speaks control protocol version {hello.Version}; this node speaks {ControlChannel.Version}. Install the node and its Hub from the same build.");
            case ControlMessage.Error:
                throw new InvalidOperationException($"The media engine refused the control connection: {reader.String("error text")}");
            default:
                throw new ControlProtocolException($"The media engine answered the hello with message type {body.Span[0]}.");
        }
    }

    private async Task ReadAsync(Session session)
    {
        var token = session.End.Token;
        try
        {
            while (await session.Connection.ReadFrameAsync(token) is { } body)
            {
                session.Heard();
                string? problem;
                try
                {
                    problem = Handle(session, body.Span);
                }
                catch (ControlProtocolException exception)
                {
                    problem = $"Frame skipped: {exception.Message}";
                    _logger.LogWarning("Media engine process {ProcessId} sent a malformed control frame, skipped: {Reason}", session.ProcessId, exception.Message);
                }
                if (problem is not null)
                {
                    await session.Connection.TrySendErrorAsync(problem, token);
                }
            }
        }
        catch (ControlProtocolException exception)
        {
            _logger.LogError("Control connection to media engine process {ProcessId} broke: {Reason}", session.ProcessId, exception.Message);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The child ended, or the node stops.
        }
        finally
        {
            await session.End.CancelAsync();
        }
    }

    private async Task WriteAsync(Session session)
    {
        var token = session.End.Token;
        try
        {
            await foreach (var item in session.Commands.Reader.ReadAllAsync(token))
            {
                switch (item)
                {
                    case MediaCommand command:
                        await session.Connection.SendAsync(command, static (w, c) => ControlCodec.CommandFrame(w, c), token);
                        break;
                    case AudienceRingRequest request:
                        await session.Connection.SendAsync(request, static (w, r) => AudienceControl.AttachFrame(w, r), token);
                        break;
                    case AudienceDetach detach:
                        await session.Connection.SendAsync(detach, static (w, d) => AudienceControl.DetachFrame(w, d.RoomId, d.Path), token);
                        break;
                    case Func<ControlWriter, ReadOnlyMemory<byte>> frame:
                        await session.Connection.SendAsync(frame, static (w, f) => f(w), token);
                        break;
                    case BrowserRingRequest request:
                        await session.Connection.SendAsync(request, static (w, r) => BrowserControl.AttachFrame(w, r), token);
                        break;
                    case BrowserDetach detach:
                        await session.Connection.SendAsync(detach, static (w, d) => BrowserControl.DetachFrame(w, d.RoomId, d.Path), token);
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await session.End.CancelAsync();
        }
    }

    /// One frame from the child.
    /// <returns>What to tell the child about it, or null.</returns>
    private string? Handle(Session session, ReadOnlySpan<byte> body)
    {
        var type = body[0];
        var reader = new ControlReader(body[1..]);
        switch ((ControlMessage)type)
        {
            case ControlMessage.Event:
                var mediaEvent = ControlCodec.ReadEvent(ref reader);
                reader.End("an event");
                Observe(mediaEvent);
                _events.Writer.TryWrite(mediaEvent);
                return null;
            case ControlMessage.Levels:
                var count = reader.Int32("level count", 0, ControlChannel.MaxLevelsPerFrame);
                for (var i = 0; i < count; i++)
                {
                    var id = reader.Int32("participant id");
                    var level = (reader.Single("peak"), reader.Single("rms"));
                    if (_participants.ContainsKey(id))
                    {
                        _levels[id] = level;
                    }
                }
                reader.End("levels");
                return null;
            case ControlMessage.AdmissionRequest:
                var (requestId, request) = ControlCodec.ReadAdmissionRequest(ref reader);
                _ = AnswerAsync(session, requestId, request);
                return null;
            case ControlMessage.Error:
                _logger.LogWarning("Media engine process {ProcessId} reported: {Text}", session.ProcessId, reader.String("error text"));
                return null;
            case ControlMessage.AudienceAnswer:
                var answer = AudienceControl.ReadAnswer(ref reader);
                if (_audienceAnswers.TryGetValue(answer.Path, out var waiting))
                {
                    waiting.TrySetResult(answer);
                    return null;
                }
                return "An audience answer for a ring this node did not ask for (or no longer waits for); ignored.";
            case ControlMessage.BrowserAnswer:
                var browser = BrowserControl.ReadAnswer(ref reader);
                if (_browserAnswers.TryGetValue(browser.Path, out var asked))
                {
                    asked.TrySetResult(browser);
                    return null;
                }
                if (browser.Refusal is null)
                {
                    // Answered after the node gave up waiting: the participant would sit in the mix with nobody at its end.
                    session.Commands.Writer.TryWrite(new BrowserDetach(browser.RoomId, browser.Path));
                }
                return "A browser answer for a ring this node did not ask for (or no longer waits for); ignored.";
            case ControlMessage.MixTiming:
                var report = AudienceControl.ReadMixTiming(ref reader);
                lock (_timingGate)
                {
                    _timing = report;
                    _longestSinceReset = report.LongestInterval > _longestSinceReset ? report.LongestInterval : _longestSinceReset;
                    _longSinceReset += report.LongIntervals;
                }
                return null;
            case ControlMessage.RecordingAnswer or ControlMessage.RecordingEnded:
                return HandleRecording((ControlMessage)type, ref reader);
            default:
                throw new ControlProtocolException($"Message type {type} is not one an engine sends.");
        }
    }

    private void Observe(MediaEvent mediaEvent)
    {
        switch (mediaEvent)
        {
            case ParticipantAdmitted admitted:
                Seen(admitted.ParticipantId);
                _participants[admitted.ParticipantId] = (admitted.RoomId, admitted.ClientName);
                break;
            case ParticipantJoined joined:
                Seen(joined.ParticipantId);
                _participants[joined.ParticipantId] = (joined.RoomId, joined.ClientName);
                break;
            case ParticipantLeft left:
                _participants.TryRemove(left.ParticipantId, out _);
                _levels.TryRemove(left.ParticipantId, out _);
                break;
        }
    }

    private void Seen(int participantId)
    {
        var highest = Volatile.Read(ref _highestParticipantId);
        while (participantId > highest)
        {
            var was = Interlocked.CompareExchange(ref _highestParticipantId, participantId, highest);
            if (was == highest)
            {
                return;
            }
            highest = was;
        }
    }

    private async Task AnswerAsync(Session session, uint requestId, AdmissionRequest request)
    {
        AdmissionDecision decision;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(session.End.Token);
            limit.CancelAfter(AdmissionLimit);
            decision = await _admission.DecideAsync(request, limit.Token).AsTask().WaitAsync(limit.Token);
        }
        catch (Exception exception)
        {
            _logger.LogWarning(exception, "Admission of JackTrip client {Name} from {Remote} failed; refused", request.ClientName, request.RemoteEndPoint);
            decision = AdmissionDecision.Refuse;
        }
        try
        {
            await session.Connection.SendAsync((requestId, decision), static (w, s) => ControlCodec.AdmissionAnswerFrame(w, s.requestId, s.decision), session.End.Token);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The child ended; its client is refused there.
        }
    }

    /// The heartbeat (decision 0010, step 5): the child's mix timing arrives every second, levels ten times a second
    /// while anyone is joined. A child that sent nothing for <see cref="Settings.SilenceLimit"/> — stopped, deadlocked,
    /// starved — keeps its socket open and would never be noticed by the reader: it is killed, and the supervision
    /// starts it again as after any other end.
    private async Task WatchAsync(Session session)
    {
        var every = TimeSpan.FromTicks(Math.Clamp(_settings.SilenceLimit.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(session.End.Token))
            {
                var silent = session.Silent;
                if (silent <= _settings.SilenceLimit)
                {
                    continue;
                }
                _logger.LogError("Media engine process {ProcessId} sent nothing for {Seconds:F1} s (limit {Limit:F1} s, Media:EngineSilenceSeconds): it hangs; killing it so that it is started again",
                    session.ProcessId, silent.TotalSeconds, _settings.SilenceLimit.TotalSeconds);
                try
                {
                    session.Process.Kill();
                }
                catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It ended meanwhile.
                }
                await session.End.CancelAsync();
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Session(Process process, int processId, string socketPath, ControlConnection connection, long startedAt)
    {
        public Process Process { get; } = process;

        public int ProcessId { get; } = processId;

        public string SocketPath { get; } = socketPath;

        public ControlConnection Connection { get; } = connection;

        public long StartedAt { get; } = startedAt;

        private long _heard = Stopwatch.GetTimestamp();

        /// A frame arrived from the child (any frame counts as a heartbeat).
        public void Heard() => Interlocked.Exchange(ref _heard, Stopwatch.GetTimestamp());

        /// How long since the child's last frame (or since the hello).
        public TimeSpan Silent => Stopwatch.GetElapsedTime(Interlocked.Read(ref _heard));

        /// Commands and audience ring requests waiting for the writer, in order; as many as the engine's own queue holds.
        public Channel<object> Commands { get; } = Channel.CreateBounded<object>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

        /// Cancelled when the connection ends (either loop stops, or the child is ended).
        public CancellationTokenSource End { get; } = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        /// The end of this session, once something ended it (under a lock on the session).
        public Task<string>? Ending { get; set; }

        /// The node has opened its rooms in this child (set once, after the start callback).
        public bool Ready
        {
            get => Volatile.Read(ref _ready);
            set => Volatile.Write(ref _ready, value);
        }

        private bool _ready;
    }

    private sealed record AudienceDetach(string RoomId, string Path);

    private sealed record BrowserDetach(string RoomId, string Path);
}
