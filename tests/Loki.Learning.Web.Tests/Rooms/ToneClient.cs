using System.Diagnostics;
using System.Net.WebSockets;
using Loki.Learning.Media.Browser;

namespace Loki.Learning.Web.Tests.Rooms;

/// A client as the browser module behaves: sends a sine in 128-frame mono frames paced at the real-time rate,
/// keeps the last half second of what it receives, answers nothing but counts pongs.
internal sealed class ToneClient : IAsyncDisposable
{
    private const int Rate = 48000;
    private const int Block = 128;
    private readonly ClientWebSocket _socket;
    private readonly double _frequency;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly float[] _history = new float[Rate / 2];
    private readonly Lock _historyLock = new();
    private readonly Task _sender;
    private readonly Task _receiver;
    private int _historyAt;
    private long _received;
    private long _pongs;
    private uint _sequence;
    private int _disposed;

    public ToneClient(ClientWebSocket socket, double frequency, CancellationToken cancellationToken)
    {
        _socket = socket;
        _frequency = frequency;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sender = Task.Run(SendLoopAsync);
        _receiver = Task.Run(ReceiveLoopAsync);
    }

    public long Received => Interlocked.Read(ref _received);

    public long Pongs => Interlocked.Read(ref _pongs);

    public WebSocketState State => _socket.State;

    public string? CloseReason { get; private set; }

    /// Amplitude at <paramref name="frequency"/> over the last half second received (Goertzel).
    public double Level(double frequency)
    {
        float[] copy;
        lock (_historyLock)
        {
            copy = [.. _history.AsSpan(_historyAt), .. _history.AsSpan(0, _historyAt)];
        }
        return Amplitude(copy, frequency);
    }

    /// Amplitude of a sine at <paramref name="frequency"/> in 48 kHz <paramref name="samples"/> (Goertzel).
    public static double Amplitude(ReadOnlySpan<float> samples, double frequency)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / Rate);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }
        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        return 2 * Math.Sqrt(Math.Max(0, power)) / samples.Length;
    }

    public async Task PingAsync()
    {
        var ping = new byte[BrowserFrame.PingLength];
        BrowserFrame.WritePing(ping, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
        await SendAsync(ping, WebSocketMessageType.Binary);
    }

    /// Short, wrong version, wrong kind, wrong length, non-zero reserved, text, and oversized messages, then a flood.
    public async Task SendGarbageAsync()
    {
        var good = new byte[BrowserFrame.AudioLength(Block, 1)];
        BrowserFrame.WriteAudio(good, 0, 0, 1, new float[Block]);
        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 9;
        var wrongKind = (byte[])good.Clone();
        wrongKind[1] = 77;
        var reserved = (byte[])good.Clone();
        reserved[13] = 1;
        var stereoClaim = (byte[])good.Clone();
        stereoClaim[2] = 2;
        byte[][] garbage = [new byte[3], wrongVersion, wrongKind, reserved, stereoClaim, good[..^1], new byte[BrowserFrame.MaxLength + 10]];
        for (var round = 0; round < 20; round++)
        {
            foreach (var message in garbage)
            {
                await SendAsync(message, WebSocketMessageType.Binary);
            }
            await SendAsync("{\"hello\":1}"u8.ToArray(), WebSocketMessageType.Text);
        }
        // A flood: far more messages than real time allows, as fast as the socket takes them.
        var tiny = new byte[5];
        for (var i = 0; i < 5000; i++)
        {
            await SendAsync(tiny, WebSocketMessageType.Binary);
        }
    }

    private async Task SendLoopAsync()
    {
        var message = new byte[BrowserFrame.AudioLength(Block, 1)];
        var block = new float[Block];
        long sentFrames = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                // Catch up to real time (a loaded machine wakes late), but never send ahead of it.
                var due = (long)(clock.Elapsed.TotalSeconds * Rate) / Block;
                for (var n = sentFrames; n < due; n++)
                {
                    for (var i = 0; i < Block; i++)
                    {
                        block[i] = (float)(0.5 * Math.Sin(2 * Math.PI * _frequency * ((n * Block) + i) / Rate));
                    }
                    var length = BrowserFrame.WriteAudio(message, _sequence++, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, 1, block);
                    await SendAsync(message.AsMemory(0, length), WebSocketMessageType.Binary);
                }
                sentFrames = Math.Max(sentFrames, due);
                await Task.Delay(2, _stop.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[BrowserFrame.MaxLength];
        var samples = new float[BrowserFrame.MaxFrames * BrowserFrame.MaxChannels];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason = result.CloseStatusDescription ?? "";
                    return;
                }
                if (!result.EndOfMessage || BrowserFrame.TryRead(buffer.AsSpan(0, result.Count), out var header) != BrowserFrameError.None)
                {
                    throw new InvalidOperationException("the server sent a malformed frame");
                }
                if (header.Kind == BrowserFrameKind.Pong)
                {
                    Interlocked.Increment(ref _pongs);
                    continue;
                }
                var count = BrowserFrame.ReadAudio(buffer.AsSpan(0, result.Count), header, samples);
                lock (_historyLock)
                {
                    for (var i = 0; i < count; i += header.Channels)
                    {
                        _history[_historyAt] = samples[i];
                        _historyAt = (_historyAt + 1) % _history.Length;
                    }
                }
                Interlocked.Increment(ref _received);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type)
    {
        await _sending.WaitAsync(_stop.Token);
        try
        {
            await _socket.SendAsync(message, type, true, _stop.Token);
        }
        finally
        {
            _sending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        await Task.WhenAll(_sender, _receiver).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
            {
            }
        }
        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
