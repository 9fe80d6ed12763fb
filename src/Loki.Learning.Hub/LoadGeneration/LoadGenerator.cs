using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>
/// Speaks the JackTrip hub-client protocol without JACK: a TCP handshake per client, then one datagram per
/// client per period from a single high-resolution pacing loop, and one thread that reads every client's
/// replies. Works against our hub and against <c>jacktrip-cli -S</c>.
/// </summary>
/// <remarks>
/// Reply latency is measured with markers. Channel 1 of every client carries a quiet tone; channel 2 is
/// silent except that every <see cref="LoadOptions.MarkerEveryPeriods"/> periods one client (in turn) fills
/// it with a constant ±0.5 for one period, the sign alternating per marker round. Each other client finds the
/// first received datagram whose channel 2 is loud again after silence; the time since that round was sent is
/// one sample of "sent datagram → received mixed datagram that carries it". The alternating sign tells a round
/// from its neighbours if a reply is later than one marker interval.
/// </remarks>
/// <param name="targets">Per client, the name it announces and the hub it dials (clients of rooms on several nodes);
/// by default client i is <c>{prefix}{i}</c> at the options' host and port.</param>
public sealed class LoadGenerator(LoadOptions options, TextWriter log, IReadOnlyList<LoadTarget>? targets = null)
{
    private const float MarkerLevel = 0.5f;
    private const float MarkerThreshold = 0.1f;
    private static readonly double TicksPerMillisecond = Stopwatch.Frequency / 1000.0;

    private readonly List<LoadClient> _clients = [];
    private long[] _roundSentTicks = [];
    private int[] _roundSender = [];
    private int _roundsSent;
    private long _lateSends;
    private long _refusedHandshakes;
    private LatencyRecorder _latency = new(0);
    private volatile bool _receiving;
    private long _sendingSince = long.MaxValue / 2;

    /// <summary>
    /// Stalls in the first seconds are counted apart: every client joins in the same period here, and the hub sets up
    /// all their buffers at once, which a hub in use never meets.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public LoadReport Run(CancellationToken cancellation)
    {
        var periodTicks = Stopwatch.Frequency * (double)options.Period / options.SampleRate;
        var totalPeriods = (long)Math.Ceiling(options.Duration.TotalSeconds * options.PacketsPerSecond);
        var rounds = (int)(totalPeriods / options.MarkerEveryPeriods) + 2;
        _roundSentTicks = new long[rounds];
        _roundSender = new int[rounds];
        _latency = new LatencyRecorder(rounds * Math.Max(1, options.Clients - 1));

        try
        {
            for (var i = 0; i < options.Clients; i++)
            {
                var client = new LoadClient(i, targets?[i].Name ?? $"{options.NamePrefix}{i}", options, options.Clients);
                _clients.Add(client);
                Handshake(client);
            }
            var admitted = _clients.Count(c => c.HubEndPoint is not null);
            log.WriteLine($"loadgen: {admitted} of {options.Clients} clients admitted by {options.Host}:{options.Port}, {options.Channels} ch, {options.Bits}-bit, {options.Period} frames, {options.PacketsPerSecond:0.#} packets/s each");

            _receiving = true;
            var receiver = new Thread(ReceiveAll) { IsBackground = true, Name = "loadgen-receive" };
            receiver.Start();

            var clock = Stopwatch.StartNew();
            // Its own thread, so that asking for real-time priority never changes the caller's thread.
            var pacer = new Thread(() => Pace(totalPeriods, periodTicks, cancellation)) { IsBackground = true, Name = "loadgen-pace" };
            pacer.Start();
            pacer.Join();
            var sendSeconds = clock.Elapsed.TotalSeconds;

            foreach (var client in _clients)
            {
                client.SendExit();
            }
            // Give the hub time to answer the exits and flush what is in flight.
            Thread.Sleep(300);
            _receiving = false;
            receiver.Join(TimeSpan.FromSeconds(2));

            return BuildReport(sendSeconds);
        }
        finally
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    private void Handshake(LoadClient client)
    {
        var hub = targets?[client.Index].Hub ?? new IPEndPoint(options.Host, options.Port);
        var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(options.HandshakeTimeout);
            // JackTrip's own hub stops listening for a moment while it serves a handshake, so a client that arrives
            // then is refused; like jacktrip-cli, try again until the handshake timeout.
            while (true)
            {
                try
                {
                    tcp.ConnectAsync(hub, timeout.Token).AsTask().GetAwaiter().GetResult();
                    break;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && !timeout.IsCancellationRequested)
                {
                    tcp.Dispose();
                    tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    Thread.Sleep(20);
                }
            }
            Span<byte> request = stackalloc byte[JackTripHandshake.RequestWithNameLength];
            var error = JackTripHandshake.TryWriteRequest(request, (uint)client.LocalPort, client.Name, out var length);
            if (error != JackTripError.None)
            {
                throw new InvalidOperationException(JackTripDatagram.Describe(error));
            }
            tcp.Send(request[..length]);

            var response = new byte[JackTripHandshake.ResponseLength];
            var read = 0;
            while (read < response.Length)
            {
                var got = tcp.ReceiveAsync(response.AsMemory(read), SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
                if (got == 0)
                {
                    break;
                }
                read += got;
            }
            if (read < response.Length || !JackTripHandshake.TryReadResponse(response, out var portOrCode))
            {
                log.WriteLine($"loadgen: {client.Name}: hub closed the handshake without an answer");
                _refusedHandshakes++;
                return;
            }
            if (JackTripAuthCode.IsAuthenticationCode(portOrCode) || portOrCode is 0 or > 65535)
            {
                log.WriteLine($"loadgen: {client.Name}: refused by the hub (answer {portOrCode})");
                _refusedHandshakes++;
                return;
            }
            client.HubEndPoint = new IPEndPoint(hub.Address, (int)portOrCode);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            log.WriteLine($"loadgen: {client.Name}: handshake failed: {e.Message}");
            _refusedHandshakes++;
        }
        finally
        {
            tcp.Dispose();
        }
    }

    private void Pace(long totalPeriods, double periodTicks, CancellationToken cancellation)
    {
        RunInRealTime();
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref _sendingSince, start);
        for (long period = 0; period < totalPeriods && !cancellation.IsCancellationRequested; period++)
        {
            var due = start + (long)(period * periodTicks);
            DeadlineWait.Until(due);
            if (Stopwatch.GetTimestamp() - due > periodTicks)
            {
                _lateSends++;
            }

            var markerRound = period % options.MarkerEveryPeriods == options.MarkerEveryPeriods / 2 && _clients.Count > 1
                ? _roundsSent
                : -1;
            var markerSender = markerRound >= 0 ? markerRound % _clients.Count : -1;
            var timestamp = (ulong)((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
            foreach (var client in _clients)
            {
                if (client.Index == markerSender && markerRound < _roundSentTicks.Length)
                {
                    _roundSender[markerRound] = markerSender;
                    _roundSentTicks[markerRound] = Stopwatch.GetTimestamp();
                    client.SendPeriod(MarkerSign(markerRound) * MarkerLevel, timestamp);
                    Volatile.Write(ref _roundsSent, markerRound + 1);
                }
                else
                {
                    client.SendPeriod(0f, timestamp);
                }
            }
        }
    }

    private static float MarkerSign(int round) => round % 2 == 0 ? 1f : -1f;

    /// <summary>
    /// Real JackTrip clients run their audio threads with real-time priority; so do the simulated ones, below the
    /// hub's default (20), so that the generator's own scheduling does not show up as the hub's stalls.
    /// </summary>
    private void RunInRealTime()
    {
        if (options.RealTimePriority > 0 && PeriodPacer.TryRunInRealTime(options.RealTimePriority) is { } refused)
        {
            log.WriteLine($"loadgen: {Thread.CurrentThread.Name ?? "pacing"} thread at normal priority: real-time {refused}");
        }
    }

    private void ReceiveAll()
    {
        RunInRealTime();
        var buffer = new byte[JackTripDatagram.MaxDatagramLength];
        var channel = new float[JackTripHeader.MaxSamplesPerChannel];
        var stallTicks = (long)(4 * options.Period * Stopwatch.Frequency / (double)options.SampleRate);
        var admitted = _clients.Where(c => c.HubEndPoint is not null).ToArray();
        if (admitted.Length == 0)
        {
            return;
        }
        // The instrument must be cheaper than what it measures: at 100 clients, an exception per empty socket per
        // round (the portable way to learn "nothing more") cost the receiver milliseconds and showed up as stalls.
        using var ready = ReadySockets.TryCreate(admitted.Length);
        if (ready is not null)
        {
            var descriptors = admitted.Select((c, i) => ready.Watch(c.Socket, i)).ToArray();
            var from = new SocketAddress(AddressFamily.InterNetwork);
            while (_receiving)
            {
                var count = ready.Poll(timeoutMs: 20);
                for (var i = 0; i < count; i++)
                {
                    var index = ready.KeyAt(i);
                    // One datagram per ready socket per round; the level-triggered poll reports the rest next round.
                    if (ReadySockets.TryReceive(descriptors[index], buffer, from, out var length) == ReadySockets.Received.Datagram)
                    {
                        Handle(admitted[index], buffer.AsSpan(0, length), Stopwatch.GetTimestamp(), channel, stallTicks);
                    }
                }
            }
            return;
        }

        var bySocket = admitted.ToDictionary(c => c.Socket);
        var readable = new List<Socket>(admitted.Length);
        while (_receiving)
        {
            readable.Clear();
            readable.AddRange(bySocket.Keys);
            Socket.Select(readable, null, null, 20_000);
            foreach (var socket in readable)
            {
                while (socket.Poll(0, SelectMode.SelectRead))
                {
                    int length;
                    try
                    {
                        length = socket.Receive(buffer, SocketFlags.None);
                    }
                    catch (SocketException)
                    {
                        // An ICMP error from an earlier send (hub port not open yet); it is consumed, keep reading.
                        continue;
                    }
                    Handle(bySocket[socket], buffer.AsSpan(0, length), Stopwatch.GetTimestamp(), channel, stallTicks);
                }
            }
        }
    }

    private void Handle(LoadClient client, ReadOnlySpan<byte> datagram, long arrival, Span<float> channel, long stallTicks)
    {
        if (JackTripDatagram.IsExit(datagram))
        {
            client.ExitsReceived++;
            return;
        }
        if (JackTripDatagram.TryParse(datagram, out var info) != JackTripError.None)
        {
            client.Malformed++;
            return;
        }
        client.Received++;
        if (client.LastArrivalTicks != 0 && arrival - client.LastArrivalTicks > stallTicks)
        {
            client.Stalls++;
            if (arrival - Volatile.Read(ref _sendingSince) > WarmUp.TotalSeconds * Stopwatch.Frequency)
            {
                client.SteadyStalls++;
            }
        }
        client.LastArrivalTicks = arrival;
        CountSequence(client, info.Newest.SequenceNumber);

        var header = info.Newest;
        if (header.AudioChannels < 2)
        {
            return;
        }
        var frames = header.SamplesPerChannel;
        var bytesPerSample = header.BytesPerSample;
        var secondChannel = info.PayloadAt(datagram, 0).Slice(frames * bytesPerSample, frames * bytesPerSample);
        JackTripSampleCodec.Decode(secondChannel, header.BitsPerSample, channel[..frames]);
        var loudest = 0f;
        var signed = 0f;
        foreach (var sample in channel[..frames])
        {
            if (Math.Abs(sample) > loudest)
            {
                loudest = Math.Abs(sample);
                signed = sample;
            }
        }
        var markerPresent = loudest > MarkerThreshold;
        if (markerPresent && !client.MarkerWasPresent)
        {
            AttributeMarker(client, arrival, Math.Sign(signed));
        }
        client.MarkerWasPresent = markerPresent;
    }

    private void AttributeMarker(LoadClient client, long arrival, int sign)
    {
        var sent = Volatile.Read(ref _roundsSent);
        // The newest round sent before this arrival, by someone else, with the sign heard, not yet counted.
        for (var round = sent - 1; round > client.LastRoundHeard && round >= sent - 3; round--)
        {
            if (_roundSender[round] == client.Index || _roundSentTicks[round] > arrival || (int)MarkerSign(round) != sign)
            {
                continue;
            }
            _latency.Add((arrival - _roundSentTicks[round]) / TicksPerMillisecond);
            client.LastRoundHeard = round;
            return;
        }
    }

    private static void CountSequence(LoadClient client, ushort sequence)
    {
        if (client.LastSequence < 0)
        {
            client.LastSequence = sequence;
            return;
        }
        var step = (ushort)(sequence - client.LastSequence);
        if (step == 0)
        {
            client.Duplicates++;
        }
        else if (step < 1000)
        {
            client.Lost += step - 1;
            client.LastSequence = sequence;
        }
        else
        {
            // JackTrip's rule: a jump back (or too far ahead) is out of order, not news.
            client.OutOfOrder++;
        }
    }

    private LoadReport BuildReport(double sendSeconds) => new(
        options,
        _clients.Count(c => c.HubEndPoint is not null),
        _refusedHandshakes,
        sendSeconds,
        _clients.Sum(c => c.Sent),
        _clients.Sum(c => c.Received),
        _clients.Sum(c => c.Lost),
        _clients.Sum(c => c.OutOfOrder),
        _clients.Sum(c => c.Duplicates),
        _clients.Sum(c => c.Stalls),
        _clients.Sum(c => c.SteadyStalls),
        _clients.Sum(c => c.Malformed),
        _clients.Sum(c => c.ExitsReceived),
        _clients.Count(c => c.Received == 0 && c.HubEndPoint is not null),
        _lateSends,
        _roundsSent,
        _latency);
}

/// <summary>One client's name (a JackTrip client name: here the single-use code a room issued) and the hub it dials.</summary>
public sealed record LoadTarget(string Name, IPEndPoint Hub);
