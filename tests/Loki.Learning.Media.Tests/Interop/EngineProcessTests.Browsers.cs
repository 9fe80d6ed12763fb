using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.SharedMemory;
using Loki.Learning.Media.Tests.SharedMemory;

namespace Loki.Learning.Media.Tests.Interop;

/// Browser participants of the engine process (protocol version 3): a ring file made only in the node's private folder,
/// a participant mixed over it, and every way it leaves the mix — detached by the node, removed by a command, its web
/// side closed, silent, or its process killed.
public sealed partial class EngineProcessTests
{
    [Fact]
    public async Task ABrowserRingIsMadeOnlyInTheNodesPrivateFolderCarriesTheParticipantAndGoesWhenItsWebSideDoes()
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

        await HostileRingPathsAreRefusedAsync(engine, "browser", "browser participant 'pupil' of room 'stage' refused", async path =>
        {
            var answer = await AttachBrowserAsync(node, Browser(path, 1));
            Assert.True(answer.Refusal is null || answer.ParticipantId == 0, "a refused participant has an id");
            return answer.Refusal;
        });

        // An attach cut short (its length prefix telling the truth about the cut) is skipped with an error; nothing is made.
        var cutPath = Path.Combine(_folder, "browser-cut-1.ring");
        var whole = BrowserControl.AttachFrame(new ControlWriter(), Browser(cutPath, 5)).ToArray();
        var cut = whole[..^3];
        BitConverter.TryWriteBytes(cut, cut.Length - ControlChannel.HeaderLength);
        await node.SendAsync(cut, static (_, f) => f, CancellationToken.None);
        Assert.NotNull(await UntilAsync(node, (type, body) => type == ControlMessage.Error && ErrorText(body).StartsWith("Frame skipped", StringComparison.Ordinal)));
        Assert.False(File.Exists(cutPath));

        // The node's own ring: mode 0600, headed with the node's generation; the participant joins, is metered, and its
        // personal mix comes back through the one poller thread.
        using var poller = new SharedTransportPoller();
        var ring = Path.Combine(_folder, "browser-1-own.ring");
        var attached = await AttachBrowserAsync(node, Browser(ring, 42));
        Assert.Null(attached.Refusal);
        Assert.True(attached.ParticipantId > 0);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));
        Assert.Throws<RingFormatException>(() => SharedParticipantTransport.Open(ring, 41));
        using (var transport = SharedParticipantTransport.OpenWithPoller(ring, 42, poller))
        {
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantJoined>(t, b, e => e.ParticipantId == attached.ParticipantId && e.ClientName == "pupil")));
            using var feeding = new CancellationTokenSource();
            var feeder = FeedToneAsync(transport, feeding.Token);
            var output = new float[transport.PeriodFrames];
            for (var periods = 0; periods < 50;)
            {
                using var wait = new CancellationTokenSource(Limit);
                await transport.WaitForOutputAsync(wait.Token);
                while (transport.TryReadOutput(output, out _))
                {
                    periods++;
                }
            }
            Assert.NotNull(await UntilAsync(node, (type, body) => type == ControlMessage.Levels && LevelOf(body, attached.ParticipantId) > 0.1f));
            await feeding.CancelAsync();
            await feeder;
            Assert.False(transport.HasLeft);
        }

        // Its web side closed (the socket ended, the node forgot to detach): the participant leaves and the file goes.
        Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantLeft>(t, b, e => e.ParticipantId == attached.ParticipantId)));
        await EventuallyGoneAsync(ring);
        Assert.True(engine.WaitForLine(l => l.Contains($"browser participant {attached.ParticipantId} of room 'stage' left: the web side closed its end", StringComparison.Ordinal), Limit), engine.Output);

        // Its web side silent (a web process that hangs or was killed without closing): gone after 2 s without a beat.
        var silentRing = Path.Combine(_folder, "browser-2-silent.ring");
        var silent = await AttachBrowserAsync(node, Browser(silentRing, 43));
        using (var stalled = SharedParticipantTransport.Open(silentRing, 43))
        {
            // Opened and never used: no block, no read, no poll beats its heartbeat.
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantLeft>(t, b, e => e.ParticipantId == silent.ParticipantId)));
            await EventuallyGoneAsync(silentRing);
            // The stalled side learns that it was let go for its silence, not removed: its page may join again.
            Assert.True(stalled.HasLeft);
            Assert.True(stalled.DroppedAsSilent);
        }

        // Its web process killed (SIGKILL: nothing closes its end): the engine sees the process gone and lets it go.
        var killedRing = Path.Combine(_folder, "browser-5-killed.ring");
        var killed = await AttachBrowserAsync(node, Browser(killedRing, 46));
        await using (var web = await RingPeer.StartAsync("transport", killedRing, 46))
        {
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantJoined>(t, b, e => e.ParticipantId == killed.ParticipantId)));
            await web.KillAsync();
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantLeft>(t, b, e => e.ParticipantId == killed.ParticipantId)));
            await EventuallyGoneAsync(killedRing);
        }

        // Detached by the node: the engine closes its end (the web side sees the participant gone) and removes the file.
        var detachedRing = Path.Combine(_folder, "browser-3-detached.ring");
        var detached = await AttachBrowserAsync(node, Browser(detachedRing, 44));
        using (var transport = SharedParticipantTransport.OpenWithPoller(detachedRing, 44, poller))
        {
            await node.SendAsync(detachedRing, static (w, p) => BrowserControl.DetachFrame(w, "stage", p), CancellationToken.None);
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantLeft>(t, b, e => e.ParticipantId == detached.ParticipantId)));
            await EventuallyGoneAsync(detachedRing);
            using var wait = new CancellationTokenSource(Limit);
            await transport.WaitForOutputAsync(wait.Token); // completes: the participant left
            Assert.True(transport.HasLeft);
            Assert.False(transport.EngineGone);
            Assert.False(transport.DroppedAsSilent);
        }

        // Removed by a command (the host's Remove): the same.
        var removedRing = Path.Combine(_folder, "browser-4-removed.ring");
        var removed = await AttachBrowserAsync(node, Browser(removedRing, 45));
        using (var transport = SharedParticipantTransport.OpenWithPoller(removedRing, 45, poller))
        {
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantJoined>(t, b, e => e.ParticipantId == removed.ParticipantId)));
            await SendAsync(node, new RemoveParticipant(removed.ParticipantId));
            Assert.NotNull(await UntilAsync(node, (t, b) => IsEvent<ParticipantLeft>(t, b, e => e.ParticipantId == removed.ParticipantId)));
            await EventuallyGoneAsync(removedRing);
            Assert.True(transport.HasLeft);
            Assert.False(transport.DroppedAsSilent, "a removed participant reads as dropped for silence, and its page would join again");
            Assert.False(transport.WriteInput(1, 0, new float[128]), "a removed participant's block was queued");
        }
        Assert.Equal([SocketPath], Directory.GetFileSystemEntries(_folder));
    }

    private static BrowserRingRequest Browser(string path, ulong generation) => new("stage", "pupil", 1, path, generation);

    private static async Task<BrowserRingAnswer> AttachBrowserAsync(ControlConnection node, BrowserRingRequest request)
    {
        await node.SendAsync(request, static (w, r) => BrowserControl.AttachFrame(w, r), CancellationToken.None);
        var answer = await UntilAsync(node, (type, body) =>
        {
            if (type != ControlMessage.BrowserAnswer)
            {
                return false;
            }
            var reader = new ControlReader(body);
            return BrowserControl.ReadAnswer(ref reader).Path == request.Path;
        }) ?? throw new InvalidOperationException("The engine closed the control connection.");
        var answerReader = new ControlReader(answer.Body);
        return BrowserControl.ReadAnswer(ref answerReader);
    }

    /// The participant's level in a levels frame, or 0 when it is not in it.
    private static float LevelOf(byte[] body, int participantId)
    {
        var reader = new ControlReader(body);
        var count = reader.Int32("count");
        for (var i = 0; i < count; i++)
        {
            var (id, peak, _) = (reader.Int32("id"), reader.Single("peak"), reader.Single("rms"));
            if (id == participantId)
            {
                return peak;
            }
        }
        return 0f;
    }

    /// A browser's blocks at the real-time rate: a 440 Hz tone in 128-frame mono blocks.
    private static async Task FeedToneAsync(SharedParticipantTransport transport, CancellationToken stop)
    {
        var block = new float[128];
        var started = DateTime.UtcNow;
        uint sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var due = (long)((DateTime.UtcNow - started).TotalSeconds * 48000 / 128);
                for (; sequence < due; sequence++)
                {
                    for (var i = 0; i < block.Length; i++)
                    {
                        block[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * ((sequence * 128) + i) / 48000);
                    }
                    transport.WriteInput(sequence, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, block);
                }
                await Task.Delay(2, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task EventuallyGoneAsync(string path)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} is still there");
            await Task.Delay(20);
        }
    }
}
