using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// A JackTrip client without JACK for tests: handshakes over TCP, then sends paced packets of a chosen signal from its
/// own UDP socket on 127.0.0.1 and keeps the decoded audio it receives from the hub.
/// </summary>
internal sealed class FakeJackTripClient : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly List<float> _received = [];
    private readonly List<float>[] _receivedByChannel = [.. Enumerable.Range(0, JackTripHeader.MaxChannels).Select(_ => new List<float>())];
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private JackTripPacketEncoder? _encoder;
    private IPEndPoint? _hub;

    private FakeJackTripClient(Socket udp)
    {
        _udp = udp;
    }

    public int ExitDatagramsReceived { get; private set; }

    public int AudioPacketsReceived { get; private set; }

    public int FramesPerPacket { get; private set; }

    public int Channels { get; private set; }

    public uint HandshakeReply { get; private set; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    /// <param name="announcePort">The UDP port to announce in the handshake; its own port when <c>null</c>. Another
    /// port makes it look like a client behind NAT (its datagrams come from a port it did not announce).</param>
    /// <param name="channelsWanted">Channels it asks the hub for; as many as it sends when <c>null</c>.</param>
    public static async Task<FakeJackTripClient> ConnectAsync(IPEndPoint hub, string name, int framesPerPacket = 128, int channels = 1, int bits = 16, int sampleRate = 48000, int redundancy = 1, int? announcePort = null, int? channelsWanted = null)
    {
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var client = new FakeJackTripClient(udp);
        client.HandshakeReply = await HandshakeAsync(hub, (uint)(announcePort ?? client.LocalEndPoint.Port), name);
        client.FramesPerPacket = framesPerPacket;
        client.Channels = channels;
        if (client.HandshakeReply <= ushort.MaxValue)
        {
            client._hub = new IPEndPoint(IPAddress.Loopback, (int)client.HandshakeReply);
            client._encoder = new JackTripPacketEncoder(sampleRate, bits, framesPerPacket, channels, channelsWanted ?? channels, redundancy);
            client._receiveLoop = Task.Run(client.ReceiveLoop);
        }
        return client;
    }

    /// <summary>Sends a raw handshake and returns the hub's answer.</summary>
    /// <param name="from">The local address to connect from (another 127.x address stands for another machine).</param>
    public static Task<uint> HandshakeAsync(IPEndPoint hub, uint port, string name, IPAddress? from = null) =>
        JackTripHandshakeClient.HandshakeAsync(hub, port, name, from);

    /// <summary>
    /// Sends <paramref name="seconds"/> of audio paced in real time from a dedicated thread (the thread pool is too
    /// bursty on a busy machine); <paramref name="signal"/> maps a frame index and channel to a sample.
    /// </summary>
    public Task StreamAsync(double seconds, Func<long, int, float> signal, long firstFrame = 0, CancellationToken stop = default) =>
        Task.Factory.StartNew(() => Stream(seconds, signal, firstFrame, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Stream(double seconds, Func<long, int, float> signal, long firstFrame, CancellationToken stop)
    {
        var encoder = _encoder ?? throw new InvalidOperationException("Not admitted.");
        var audio = new float[FramesPerPacket * Channels];
        var datagram = new byte[encoder.MaxDatagramLength];
        var packets = (int)(seconds * 48000 / FramesPerPacket);
        var clock = Stopwatch.StartNew();
        var frame = firstFrame;
        for (var packet = 0; packet < packets && !stop.IsCancellationRequested; packet++)
        {
            for (var c = 0; c < Channels; c++)
            {
                for (var i = 0; i < FramesPerPacket; i++)
                {
                    audio[(c * FramesPerPacket) + i] = signal(frame + i, c);
                }
            }
            frame += FramesPerPacket;
            var length = encoder.Encode(audio, JackTripPacketEncoder.TimestampFrom(TimeProvider.System), datagram);
            _udp.SendTo(datagram.AsSpan(0, length), SocketFlags.None, _hub!);
            // Sleep rather than spin: the machine is shared, and a millisecond of send jitter is what networks do anyway.
            var due = TimeSpan.FromSeconds((packet + 1) * (double)FramesPerPacket / 48000);
            while (clock.Elapsed < due)
            {
                Thread.Sleep(1);
            }
        }
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> datagram) => await _udp.SendToAsync(datagram, SocketFlags.None, _hub!);

    public async Task SendExitAsync()
    {
        var exit = new byte[JackTripDatagram.ExitLength];
        JackTripDatagram.WriteExit(exit);
        await SendRawAsync(exit);
        await SendRawAsync(exit);
    }

    /// <summary>How many frames of channel 0 have arrived so far; a mark for <see cref="ReceivedAfter"/>.</summary>
    public int FramesReceived
    {
        get
        {
            lock (_gate)
            {
                return _received.Count;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="frames"/> frames have arrived after <paramref name="skip"/> frames past
    /// <paramref name="mark"/>, and returns them: what was heard after a change, however slow the machine.
    /// </summary>
    public async Task<float[]> ReceivedAfterAsync(int mark, int skip, int frames, TimeSpan timeout)
    {
        if (!await WaitForAsync(c => c.FramesReceived >= mark + skip + frames, timeout))
        {
            throw new TimeoutException($"Only {FramesReceived - mark} of {skip + frames} frames arrived after the mark.");
        }
        lock (_gate)
        {
            return _received.GetRange(mark + skip, frames).ToArray();
        }
    }

    /// <summary>
    /// 0.3 s of what was heard after <paramref name="mark"/> (a <see cref="FramesReceived"/> taken when a command was
    /// posted), skipping <paramref name="settleFrames"/> (0.2 s by default) for the command and the buffers in between.
    /// </summary>
    public Task<float[]> HeardAfterAsync(int mark, int settleFrames = 9600) =>
        ReceivedAfterAsync(mark, settleFrames, 14400, TimeSpan.FromSeconds(10));

    /// <summary>
    /// As <see cref="ReceivedAfterAsync"/> for every channel the hub sent: one array per channel (a channel the latest
    /// packets did not carry comes back as far as it got).
    /// </summary>
    public async Task<float[][]> ReceivedChannelsAfterAsync(int mark, int skip, int frames, int channels, TimeSpan timeout)
    {
        if (!await WaitForAsync(c => c.FramesReceived >= mark + skip + frames, timeout))
        {
            throw new TimeoutException($"Only {FramesReceived - mark} of {skip + frames} frames arrived after the mark.");
        }
        lock (_gate)
        {
            return [.. _receivedByChannel.Take(channels).Select(c => c.Count >= mark + skip + frames ? c.GetRange(mark + skip, frames).ToArray() : [])];
        }
    }

    /// <summary>The last <paramref name="frames"/> frames received on channel 0.</summary>
    public float[] LastReceived(int frames)
    {
        lock (_gate)
        {
            var count = Math.Min(frames, _received.Count);
            return _received.GetRange(_received.Count - count, count).ToArray();
        }
    }

    public async Task<bool> WaitForAsync(Func<FakeJackTripClient, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition(this))
            {
                return true;
            }
            await Task.Delay(10);
        }
        return condition(this);
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[65536];
        var decoded = new float[8192];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            var datagram = buffer.AsSpan(0, result.ReceivedBytes);
            if (JackTripDatagram.IsExit(datagram))
            {
                ExitDatagramsReceived++;
                continue;
            }
            if (JackTripDatagram.TryParse(datagram, out var info) != JackTripError.None)
            {
                continue;
            }
            var samples = JackTripSampleCodec.Decode(info.PayloadAt(datagram, 0), info.Newest.BitsPerSample, decoded);
            lock (_gate)
            {
                AudioPacketsReceived++;
                // Channel 0 for the single-channel helpers: the first SamplesPerChannel samples of the planar payload.
                var frames = info.Newest.SamplesPerChannel;
                _received.AddRange(decoded.AsSpan(0, Math.Min(samples, frames)).ToArray());
                for (var channel = 0; channel < info.Newest.AudioChannels && (channel + 1) * frames <= samples; channel++)
                {
                    _receivedByChannel[channel].AddRange(decoded.AsSpan(channel * frames, frames).ToArray());
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        try
        {
            await _receiveLoop;
        }
        catch (ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
