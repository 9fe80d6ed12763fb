using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.Engine;
using NAudio.Wave;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// The Hub's <c>engine</c> mode as the node starts it: a real process, its control socket, and this test in the node's
/// place on the other end.
/// </summary>
public sealed partial class EngineProcessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-engine-test-").FullName;

    private string SocketPath => Path.Combine(_folder, "control.sock");

    private ExternalTool StartEngine(params string[] more)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Hub");
        var engine = ExternalTool.Start("Loki.Learning.Hub engine", program,
            ["engine", "--control", SocketPath, "--bind", "127.0.0.1", "--port", "0", "--udp-base", "0", "--rt-priority", "0", .. more]);
        Assert.True(engine.WaitForLine(l => l.Contains("listening on", StringComparison.Ordinal), Limit), engine.ToString());
        return engine;
    }

    private async Task<(ControlConnection Connection, ControlHello Hello)> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        var connection = new ControlConnection(new NetworkStream(socket, ownsSocket: true));
        await connection.SendAsync(new ControlHello(ControlChannel.Version, 0, 0), static (w, h) => h.Frame(w), CancellationToken.None);
        var (type, body) = await NextAsync(connection);
        Assert.Equal(ControlMessage.Hello, type);
        var reader = new ControlReader(body);
        return (connection, ControlHello.Read(ref reader));
    }

    private static async Task<(ControlMessage Type, byte[] Body)> NextAsync(ControlConnection connection)
    {
        using var timeout = new CancellationTokenSource(Limit);
        var frame = await connection.ReadFrameAsync(timeout.Token) ?? throw new InvalidOperationException("The engine closed the control connection.");
        return ((ControlMessage)frame.Span[0], frame[1..].ToArray());
    }

    /// Reads frames until one matches; returns it, or null when the connection ended first.
    private static async Task<(ControlMessage Type, byte[] Body)?> UntilAsync(ControlConnection connection, Func<ControlMessage, byte[], bool> matches)
    {
        using var timeout = new CancellationTokenSource(Limit);
        while (await connection.ReadFrameAsync(timeout.Token) is { } frame)
        {
            var (type, body) = ((ControlMessage)frame.Span[0], frame[1..].ToArray());
            if (matches(type, body))
            {
                return (type, body);
            }
        }
        return null;
    }

    private static bool IsEvent<TEvent>(ControlMessage type, byte[] body, Func<TEvent, bool> matches)
        where TEvent : MediaEvent
    {
        if (type != ControlMessage.Event)
        {
            return false;
        }
        var reader = new ControlReader(body);
        return ControlCodec.ReadEvent(ref reader) is TEvent e && matches(e);
    }

    private static string ErrorText(byte[] body)
    {
        var reader = new ControlReader(body);
        return reader.String("error text");
    }

    private static Task SendAsync(ControlConnection connection, MediaCommand command) =>
        connection.SendAsync(command, static (w, c) => ControlCodec.CommandFrame(w, c), CancellationToken.None);

    [Fact]
    public async Task TheControlSocketIsForItsOwnerAloneAndServesOneNodeAtATime()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process and its Unix socket are for Linux nodes");
            return;
        }
        using var engine = StartEngine();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        var (node, hello) = await ConnectAsync();
        await using var _ = node;
        Assert.Equal(engine.ProcessId, hello.ProcessId);
        Assert.InRange(hello.TcpPort, 1, 65535);

        // A second connection while the node is connected gets an error and is closed.
        using var intruder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await intruder.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var second = new ControlConnection(new NetworkStream(intruder, ownsSocket: false));
        var (type, body) = await NextAsync(second);
        Assert.Equal(ControlMessage.Error, type);
        Assert.Contains("Another control connection is active", ErrorText(body), StringComparison.Ordinal);
        using (var timeout = new CancellationTokenSource(Limit))
        {
            Assert.Null(await second.ReadFrameAsync(timeout.Token));
        }

        // The node still drives the engine.
        await SendAsync(node, new OpenRoom("still-mine"));
        Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<RoomOpened>(t, b, e => e.RoomId == "still-mine")));
    }

    [Fact]
    public async Task MalformedFramesAreAnsweredWithAnErrorAndTheEngineGoesOnServing()
    {
        using var engine = StartEngine();
        var (node, hello) = await ConnectAsync();

        var random = new Random(2026);
        var writer = new ControlWriter();
        var sent = 0;
        for (var i = 0; i < 400; i++)
        {
            byte[] body;
            if (i % 2 == 0)
            {
                // Random bytes after a type byte the node may send (a command, an admission answer, an error) or not.
                body = new byte[random.Next(1, 120)];
                random.NextBytes(body);
                body[0] = (byte)random.Next(0, 10);
                if (body[0] == (byte)ControlMessage.Stop && body.Length == 1)
                {
                    continue; // a well-formed stop
                }
            }
            else
            {
                // A valid command cut short, its length prefix telling the truth about the cut.
                var whole = ControlCodec.CommandFrame(writer, new AdmitParticipant("room-" + i, "client-" + i, 2)).ToArray();
                body = whole.AsSpan(ControlChannel.HeaderLength, random.Next(1, whole.Length - ControlChannel.HeaderLength)).ToArray();
            }
            var frame = new byte[ControlChannel.HeaderLength + body.Length];
            BitConverter.TryWriteBytes(frame, body.Length);
            body.CopyTo(frame, ControlChannel.HeaderLength);
            await node.SendAsync(frame, static (_, f) => f, CancellationToken.None);
            sent++;
        }
        await SendAsync(node, new OpenRoom("alive"));
        var errors = 0;
        var opened = await UntilAsync(node, (type, body) =>
        {
            errors += type == ControlMessage.Error && ErrorText(body).StartsWith("Frame skipped", StringComparison.Ordinal) ? 1 : 0;
            return IsEvent<RoomOpened>(type, body, e => e.RoomId == "alive");
        });

        Assert.NotNull(opened);
        Assert.True(errors >= sent / 2, $"{errors} of {sent} malformed frames were answered with an error");
        Assert.Contains(engine.Lines, l => l.Contains("malformed control frame #1 skipped", StringComparison.Ordinal));

        // A length that cannot be skipped ends the connection, with the reason, and only the connection.
        await node.SendAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3 }, static (_, f) => f, CancellationToken.None);
        var ended = await UntilAsync(node, (type, body) => type == ControlMessage.Error && ErrorText(body).Contains("outside 1..", StringComparison.Ordinal));
        Assert.NotNull(ended);
        await node.DisposeAsync();
        var (again, helloAgain) = await ConnectAsync();
        await using var __ = again;
        Assert.Equal(hello.ProcessId, helloAgain.ProcessId);
        Assert.False(engine.HasExited, engine.ToString());
        await SendAsync(again, new OpenRoom("alive-again"));
        Assert.NotNull(await UntilAsync(again, (t, b) => IsEvent<RoomOpened>(t, b, e => e.RoomId == "alive-again")));
    }

    [Fact]
    public async Task AJackTripClientIsAdmittedOrRefusedByTheNodesAnswerAndAnUnansweredQuestionIsARefusal()
    {
        using var engine = StartEngine("--admission-timeout-ms", "500");
        var (node, hello) = await ConnectAsync();
        await using var _ = node;
        var hub = new IPEndPoint(IPAddress.Loopback, hello.TcpPort);

        var answers = Task.Run(async () =>
        {
            var asked = new List<string>();
            while (asked.Count < 3 && await UntilAsync(node, (type, _) => type == ControlMessage.AdmissionRequest) is { } question)
            {
                var reader = new ControlReader(question.Body);
                var (id, request) = ControlCodec.ReadAdmissionRequest(ref reader);
                asked.Add(request.ClientName);
                var decision = request.ClientName switch
                {
                    "welcome" => AdmissionDecision.Admit("band"),
                    "unwelcome" => AdmissionDecision.Refuse,
                    _ => null, // the node never answers
                };
                if (decision is not null)
                {
                    await node.SendAsync((id, decision), static (w, s) => ControlCodec.AdmissionAnswerFrame(w, s.id, s.decision), CancellationToken.None);
                }
            }
            return asked;
        });

        var refused = await JackTripHandshakeClient.HandshakeAsync(hub, 40000, "unwelcome");
        var admitted = await JackTripHandshakeClient.HandshakeAsync(hub, 40001, "welcome");
        var unanswered = await JackTripHandshakeClient.HandshakeAsync(hub, 40002, "forgotten");

        Assert.Equal(JackTripAuthCode.AuthenticationRequired, refused);
        Assert.InRange(admitted, 1u, 65535u);
        Assert.Equal(JackTripAuthCode.AuthenticationRequired, unanswered);
        Assert.Equal(new[] { "unwelcome", "welcome", "forgotten" }, await answers.WaitAsync(Limit));
        Assert.True(engine.WaitForLine(l => l.Contains("did not answer the admission of 'forgotten'", StringComparison.Ordinal), Limit), engine.ToString());
    }

    [Fact]
    public async Task TheEngineStopsOnAStopFrameAndWhenNoNodeComesBack()
    {
        using (var engine = StartEngine())
        {
            var (node, _) = await ConnectAsync();
            await using var __ = node;
            await node.SendAsync(0, static (w, _) =>
            {
                w.Begin(ControlMessage.Stop);
                return w.End();
            }, CancellationToken.None);
            Assert.True(engine.WaitForExit(Limit), engine.ToString());
            Assert.Equal(0, engine.ExitCode);
            Assert.False(File.Exists(SocketPath), "the control socket was left behind");
        }

        using var orphan = StartEngine("--orphan-seconds", "1");
        var (gone, _) = await ConnectAsync();
        await gone.DisposeAsync();
        Assert.True(orphan.WaitForExit(Limit), orphan.ToString());
        Assert.Equal(0, orphan.ExitCode);
        Assert.Contains(orphan.Lines, l => l.Contains("no node connected for 1 s; stopping", StringComparison.Ordinal));
    }

    /// The node names the ring file; the engine creates it only new, directly in the folder of its control socket. A
    /// path anywhere else, a name that is not a ring's, a file or link already there, or a cut-short frame is refused
    /// with a log line and nothing is created or touched.
    [Fact]
    public async Task AnAudienceRingIsMadeOnlyInTheNodesPrivateFolderCarriesTheMixAndGoesWhenDetached()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process and its ring files are for Linux nodes");
            return;
        }
        using var engine = StartEngine();
        var (node, _) = await ConnectAsync();
        await using var connected = node;
        await OpenStageAsync(node);

        await HostileRingPathsAreRefusedAsync(engine, "audience", "audience ring for room 'stage' refused",
            async path => (await AttachAsync(node, new AudienceRingRequest("stage", path, 1))).Refusal);

        // An attach cut short (its length prefix telling the truth about the cut) is skipped with an error; nothing is made.
        var cutPath = Path.Combine(_folder, "audience-cut-1.ring");
        var whole = AudienceControl.AttachFrame(new ControlWriter(), new AudienceRingRequest("stage", cutPath, 5)).ToArray();
        var cut = whole[..^3];
        BitConverter.TryWriteBytes(cut, cut.Length - ControlChannel.HeaderLength);
        await node.SendAsync(cut, static (_, f) => f, CancellationToken.None);
        Assert.NotNull(await UntilAsync(node, (type, body) => type == ControlMessage.Error && ErrorText(body).StartsWith("Frame skipped", StringComparison.Ordinal)));
        Assert.False(File.Exists(cutPath));

        // The node's own ring: mode 0600, headed with the node's generation, written every period, its mix thread timed.
        var ring = Path.Combine(_folder, "audience-stage-1.ring");
        Assert.Null((await AttachAsync(node, new AudienceRingRequest("stage", ring, 42))).Refusal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));
        Assert.Throws<Loki.Learning.Media.SharedMemory.RingFormatException>(() => Loki.Learning.Media.SharedMemory.SharedAudienceReader.Open(ring, 41));
        using var reader = Loki.Learning.Media.SharedMemory.SharedAudienceReader.Open(ring, 42);
        var message = new byte[reader.MessageLength];
        var deadline = DateTime.UtcNow + Limit;
        while (!reader.TryEncode(message))
        {
            Assert.True(DateTime.UtcNow < deadline, "no message from the ring");
            await Task.Delay(20);
        }
        Assert.True(Loki.Learning.Media.Audience.AudienceFrame.TryReadHeader(message, out var channels, out var frames, out _, out _));
        Assert.Equal((2, reader.BatchFrames), (channels, frames));
        var timing = await UntilAsync(node, (type, body) =>
        {
            if (type != ControlMessage.MixTiming)
            {
                return false;
            }
            var r = new ControlReader(body);
            return AudienceControl.ReadMixTiming(ref r).LongestInterval > TimeSpan.Zero;
        });
        Assert.NotNull(timing);

        // Detached: the engine closes its end and removes the file.
        await node.SendAsync((Room: "stage", Path: ring), static (w, d) => AudienceControl.DetachFrame(w, d.Room, d.Path), CancellationToken.None);
        while (File.Exists(ring) || !reader.Detached)
        {
            Assert.True(DateTime.UtcNow < deadline + Limit, "the detached ring is still there or still open");
            await Task.Delay(20);
        }
    }

    /// The node names the take's folder; the engine records only into a folder the node made directly in the recordings
    /// folder it was started with. A folder anywhere else, climbing out with "..", relative, the recordings folder
    /// itself, a link, a folder holding a link, a name that is not the node's, or a file stem that climbs out, is refused
    /// with a log line, and nothing is written anywhere. A take in the node's own folder records and reports its files.
    [Fact]
    public async Task ATakeIsRecordedOnlyIntoAFolderTheNodeMadeInItsRecordingsFolderAndReportsItsFiles()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process is for Linux nodes");
            return;
        }
        var root = Directory.CreateTempSubdirectory("loki-recordings-").FullName;
        var outside = Directory.CreateTempSubdirectory("loki-elsewhere-").FullName;
        try
        {
            using var engine = StartEngine("--recordings", root);
            var (node, _) = await ConnectAsync();
            await using var connected = node;
            await OpenStageAsync(node);

            var target = Path.Combine(outside, "target");
            await File.WriteAllTextAsync(target, "keep me");
            Directory.CreateDirectory(Path.Combine(outside, "take"));
            File.CreateSymbolicLink(Path.Combine(root, "planted"), outside);
            Directory.CreateDirectory(Path.Combine(root, "holds-link"));
            File.CreateSymbolicLink(Path.Combine(root, "holds-link", "mix.wav"), target);
            Directory.CreateDirectory(Path.Combine(root, "odd name"));
            Directory.CreateDirectory(Path.Combine(root, "nested", "inner"));
            string[] hostile =
            [
                Path.Combine(outside, "take"),
                root + "/../" + Path.GetFileName(outside) + "/take",
                root + "/nested/../../" + Path.GetFileName(outside) + "/take",
                root,
                "take",
                Path.Combine(root, "planted"),
                Path.Combine(root, "holds-link"),
                Path.Combine(root, "odd name"),
                Path.Combine(root, "nested", "inner"),
                Path.Combine(root, "never-made"),
            ];
            foreach (var folder in hostile)
            {
                var answer = await StartTakeAsync(node, new TakeStart("stage", folder, 4));
                Assert.True(answer.Refusal is not null, $"a take was started in {folder}");
            }
            Assert.Equal(["take", "target"], Directory.GetFileSystemEntries(outside, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.GetFiles(Path.Combine(outside, "take")));
            Assert.Equal("keep me", await File.ReadAllTextAsync(target));
            Assert.DoesNotContain(Directory.GetFiles(root, "*.wav", SearchOption.AllDirectories), f => new FileInfo(f).LinkTarget is null);
            Assert.Contains(engine.Lines, l => l.Contains("recording of room 'stage' refused: the folder", StringComparison.Ordinal)
                && l.Contains("is outside the node's recordings folder", StringComparison.Ordinal));
            Assert.Contains(engine.Lines, l => l.Contains("is a link", StringComparison.Ordinal));
            Assert.Contains(engine.Lines, l => l.Contains("holds a link ('mix.wav')", StringComparison.Ordinal));

            // A cut-short start is skipped with an error; nothing is made.
            var mine = Directory.CreateDirectory(Path.Combine(root, "0f1e2d3c4b5a69788796a5b4c3d2e1f0")).FullName;
            var whole = RecordingControl.StartFrame(new ControlWriter(), new TakeStart("stage", mine, 4)).ToArray();
            var cut = whole[..^2];
            BitConverter.TryWriteBytes(cut, cut.Length - ControlChannel.HeaderLength);
            await node.SendAsync(cut, static (_, f) => f, CancellationToken.None);
            Assert.NotNull(await UntilAsync(node, (type, body) => type == ControlMessage.Error && ErrorText(body).StartsWith("Frame skipped", StringComparison.Ordinal)));
            Assert.Empty(Directory.GetFiles(mine));

            // The node's own take: recorded, a file stem that climbs out refused, stopped, its files reported and whole.
            Assert.Null((await StartTakeAsync(node, new TakeStart("stage", mine, 4))).Refusal);
            await node.SendAsync(new TakeInclude(mine, 77, "../../escaped", 0), static (w, i) => RecordingControl.IncludeFrame(w, i), CancellationToken.None);
            Assert.NotNull(await UntilAsync(node, (type, body) => type == ControlMessage.Error && ErrorText(body).Contains("not letters, digits and dashes", StringComparison.Ordinal)));
            var mix = Path.Combine(mine, "mix.wav");
            await UntilAsync(() => WaveSeconds(mix) >= 1, "a second of the take's mix on the disk");
            await node.SendAsync(mine, static (w, f) => RecordingControl.StopFrame(w, f), CancellationToken.None);
            var ended = await EndedAsync(node, mine);
            Assert.Null(ended.Error);
            Assert.Equal("mix.wav", ended.Files!.MixFileName);
            Assert.True(ended.Files.MixFrames >= 48000, $"{ended.Files.MixFrames} frames of mix");
            Assert.Empty(ended.Files.Tracks);
            using (var reader = new NAudio.Wave.WaveFileReader(mix))
            {
                Assert.Equal((48000, 24, 2), (reader.WaveFormat.SampleRate, reader.WaveFormat.BitsPerSample, reader.WaveFormat.Channels));
                Assert.Equal(ended.Files.MixFrames, reader.SampleCount);
            }
            Assert.Equal(["mix.wav"], Directory.GetFiles(mine).Select(Path.GetFileName));
            Assert.False(File.Exists(Path.Combine(root, "escaped.wav")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
            Directory.Delete(root, recursive: true);
        }
    }

    /// The engine process is killed (SIGKILL) in the middle of a take: every file it wrote is a valid WAV holding what
    /// was played up to at most a second before the kill.
    [Fact]
    public async Task AKilledEngineLeavesTheTakesFilesAsValidWavsHoldingWhatWasPlayed()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process is for Linux nodes");
            return;
        }
        var root = Directory.CreateTempSubdirectory("loki-recordings-").FullName;
        try
        {
            using var engine = StartEngine("--recordings", root);
            var (node, hello) = await ConnectAsync();
            await using var connected = node;
            await OpenStageAsync(node);

            var hub = new IPEndPoint(IPAddress.Loopback, hello.TcpPort);
            var connecting = FakeJackTripClient.ConnectAsync(hub, "player");
            var question = await UntilAsync(node, (type, _) => type == ControlMessage.AdmissionRequest) ?? throw new InvalidOperationException("no admission question");
            var questionReader = new ControlReader(question.Body);
            var (requestId, _) = ControlCodec.ReadAdmissionRequest(ref questionReader);
            await node.SendAsync(requestId, static (w, id) => ControlCodec.AdmissionAnswerFrame(w, id, AdmissionDecision.Admit("stage")), CancellationToken.None);
            await using var player = await connecting;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var playing = player.StreamAsync(100, (frame, _) => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * frame / 48000)), stop: stop.Token);
            var joined = await UntilAsync(node, (t, b) => IsEvent<ParticipantJoined>(t, b, _ => true)) ?? throw new InvalidOperationException("nobody joined");
            var joinedReader = new ControlReader(joined.Body);
            var participantId = ((ParticipantJoined)ControlCodec.ReadEvent(ref joinedReader)).ParticipantId;

            var take = Directory.CreateDirectory(Path.Combine(root, "1a2b3c4d5e6f708192a3b4c5d6e7f809")).FullName;
            Assert.Null((await StartTakeAsync(node, new TakeStart("stage", take, 4))).Refusal);
            await node.SendAsync(new TakeInclude(take, participantId, "player-1", 0), static (w, i) => RecordingControl.IncludeFrame(w, i), CancellationToken.None);
            var track = Path.Combine(take, "player-1.wav");
            await UntilAsync(() => WaveSeconds(track) >= 2, "two seconds of the player's track on the disk");

            using (var process = System.Diagnostics.Process.GetProcessById(engine.ProcessId))
            {
                process.Kill(); // SIGKILL: the recorder gets no chance to close anything
            }
            Assert.True(engine.WaitForExit(Limit));
            await stop.CancelAsync();
            await playing.ContinueWith(_ => { }, TaskScheduler.Default);

            foreach (var file in new[] { track, Path.Combine(take, "mix.wav") })
            {
                using var reader = new NAudio.Wave.WaveFileReader(file);
                Assert.Equal((48000, 24), (reader.WaveFormat.SampleRate, reader.WaveFormat.BitsPerSample));
                Assert.True(reader.TotalTime >= TimeSpan.FromSeconds(1.5), $"{file} holds {reader.TotalTime.TotalSeconds:F2} s");
                Assert.True(reader.Length + 44 <= new FileInfo(file).Length, "the header claims no more than the file holds");
                var samples = new float[reader.SampleCount * reader.WaveFormat.Channels];
                var read = reader.ToSampleProvider().Read(samples.AsSpan());
                var tail = samples.AsSpan(read / 2, read / 2).ToArray(); // the second half: the player plays throughout
                var rms = Math.Sqrt(tail.Average(x => (double)x * x));
                Assert.InRange(rms, 0.15, 0.26); // a 0.3 sine has an RMS of 0.21
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// The node goes away in the middle of a take (its connection ends): the engine closes the take at once, so every
    /// file carries its final header (the length it really has), before the engine stops for want of a node.
    [Fact]
    public async Task WhenTheNodeGoesAwayTheEngineClosesItsTakesWithFinalHeaders()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process is for Linux nodes");
            return;
        }
        var root = Directory.CreateTempSubdirectory("loki-recordings-").FullName;
        try
        {
            using var engine = StartEngine("--recordings", root, "--orphan-seconds", "30");
            var take = Directory.CreateDirectory(Path.Combine(root, "5e6f708192a3b4c5d6e7f8091a2b3c4d")).FullName;
            var mix = Path.Combine(take, "mix.wav");
            await using (var node = (await ConnectAsync()).Connection)
            {
                await OpenStageAsync(node);
                Assert.Null((await StartTakeAsync(node, new TakeStart("stage", take, 4))).Refusal);
                await UntilAsync(() => WaveSeconds(mix) >= 1, "a second of the take's mix on the disk");
            }

            Assert.True(engine.WaitForLine(l => l.Contains("engine: the node disconnected: closing 1 take(s)", StringComparison.Ordinal), Limit), engine.ToString());
            Assert.True(engine.WaitForLine(l => l.Contains($"engine: take in {take} closed", StringComparison.Ordinal), Limit), engine.ToString());
            Assert.False(engine.HasExited); // it still waits for a node; the take did not wait for that
            using var reader = new WaveFileReader(mix);
            Assert.Equal(new FileInfo(mix).Length, reader.Length + 44 + (reader.Length % 2)); // the final header: every byte counted
            Assert.True(reader.TotalTime >= TimeSpan.FromSeconds(1));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// Seconds of audio a WAV's header claims now (the recorder rewrites it every second); 0 while there is no header.
    private static double WaveSeconds(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new NAudio.Wave.WaveFileReader(stream);
            return reader.TotalTime.TotalSeconds;
        }
        catch (Exception exception) when (exception is IOException or FormatException or ArgumentException)
        {
            return 0;
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Limit.TotalSeconds} s: {what}");
            await Task.Delay(50);
        }
    }

    /// Six hostile paths for a ring file named <c><paramref name="kind"/>-….ring</c> — outside the folder, climbing out
    /// with <c>..</c>, the control socket's name, another name, a relative path, a symbolic link planted in the folder —
    /// are each refused with a reason and a log line starting <paramref name="refusedLine"/>; nothing is created, and
    /// nothing is written through the link.
    private async Task HostileRingPathsAreRefusedAsync(ExternalTool engine, string kind, string refusedLine, Func<string, Task<string?>> refusalOf)
    {
        var outside = Directory.CreateTempSubdirectory("loki-elsewhere-").FullName;
        var planted = Path.Combine(_folder, $"{kind}-planted-1.ring");
        try
        {
            var target = Path.Combine(outside, "target");
            await File.WriteAllTextAsync(target, "keep me");
            File.CreateSymbolicLink(planted, target);
            string[] hostile =
            [
                Path.Combine(outside, $"{kind}-stage-1.ring"),
                _folder + "/../" + Path.GetFileName(outside) + $"/{kind}-stage-2.ring",
                Path.Combine(_folder, "control.sock"),
                Path.Combine(_folder, "notes.txt"),
                $"{kind}-stage-3.ring",
                planted,
            ];
            foreach (var path in hostile)
            {
                Assert.True(await refusalOf(path) is not null, $"the ring {path} was made");
            }

            Assert.Equal(["target"], Directory.GetFiles(outside).Select(Path.GetFileName));
            Assert.Equal("keep me", await File.ReadAllTextAsync(target));
            Assert.Equal([planted, SocketPath], Directory.GetFileSystemEntries(_folder).Order(StringComparer.Ordinal));
            // The engine writes its log line before it answers, but its output is read on another thread here: wait for it.
            Assert.True(engine.WaitForLine(l => l.Contains(refusedLine + ": the path", StringComparison.Ordinal)
                && l.Contains("is outside the node's private folder", StringComparison.Ordinal), Limit), engine.Output);
            Assert.True(engine.WaitForLine(l => l.Contains(refusedLine + ": the file cannot be created new", StringComparison.Ordinal), Limit), engine.Output);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
            File.Delete(planted);
        }
    }

    /// Opens the room "stage" in the engine and waits until the engine says it is open.
    private static async Task OpenStageAsync(ControlConnection node)
    {
        await SendAsync(node, new OpenRoom("stage"));
        Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<RoomOpened>(t, b, e => e.RoomId == "stage")));
    }

    private static async Task<AudienceRingAnswer> AttachAsync(ControlConnection node, AudienceRingRequest request)
    {
        await node.SendAsync(request, static (w, r) => AudienceControl.AttachFrame(w, r), CancellationToken.None);
        return await NextOfAsync(node, ControlMessage.AudienceAnswer, AudienceControl.ReadAnswer, a => a.Path == request.Path);
    }

    private static async Task<TakeAnswer> StartTakeAsync(ControlConnection node, TakeStart start)
    {
        await node.SendAsync(start, static (w, s) => RecordingControl.StartFrame(w, s), CancellationToken.None);
        return await NextOfAsync(node, ControlMessage.RecordingAnswer, RecordingControl.ReadAnswer, a => a.Folder == start.Folder);
    }

    private static Task<TakeEnded> EndedAsync(ControlConnection node, string folder) =>
        NextOfAsync(node, ControlMessage.RecordingEnded, RecordingControl.ReadEnded, e => e.Folder == folder);

    private delegate T FrameReader<T>(ref ControlReader reader);

    /// Reads frames until one of <paramref name="type"/> whose fields match; returns its fields.
    private static async Task<T> NextOfAsync<T>(ControlConnection node, ControlMessage type, FrameReader<T> read, Func<T, bool> matches)
    {
        var frame = await UntilAsync(node, (t, body) =>
        {
            if (t != type)
            {
                return false;
            }
            var reader = new ControlReader(body);
            return matches(read(ref reader));
        }) ?? throw new InvalidOperationException("The engine closed the control connection.");
        var fields = new ControlReader(frame.Body);
        return read(ref fields);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
