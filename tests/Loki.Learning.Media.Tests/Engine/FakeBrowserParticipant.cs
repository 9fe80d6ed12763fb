using System.Diagnostics;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// What a browser's WebSocket handler does with an <see cref="ExternalParticipant"/>, without the WebSocket: a paced
/// sender thread writes blocks of a chosen signal, and an async loop waits for the personal mix and keeps channel 0.
/// </summary>
internal sealed class FakeBrowserParticipant : IAsyncDisposable
{
    private readonly List<float> _received = [];
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;

    public FakeBrowserParticipant(ExternalParticipant participant)
    {
        Participant = participant;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public ExternalParticipant Participant { get; }

    public int BlocksReceived { get; private set; }

    /// <summary>Sends <paramref name="seconds"/> of audio in blocks of <paramref name="framesPerBlock"/>, paced in real time on a dedicated thread.</summary>
    public Task StreamAsync(double seconds, Func<long, int, float> signal, int framesPerBlock = 128) =>
        Task.Factory.StartNew(() => Stream(seconds, signal, framesPerBlock), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The last <paramref name="frames"/> frames received on channel 0.</summary>
    public float[] LastReceived(int frames)
    {
        lock (_gate)
        {
            var count = Math.Min(frames, _received.Count);
            return _received.GetRange(_received.Count - count, count).ToArray();
        }
    }

    private void Stream(double seconds, Func<long, int, float> signal, int framesPerBlock)
    {
        var channels = Participant.Channels;
        var block = new float[framesPerBlock * channels];
        var blocks = (int)(seconds * 48000 / framesPerBlock);
        var clock = Stopwatch.StartNew();
        var frame = 0L;
        for (var sequence = 0u; sequence < blocks; sequence++)
        {
            for (var i = 0; i < framesPerBlock; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    block[(i * channels) + c] = signal(frame + i, c);
                }
            }
            frame += framesPerBlock;
            Participant.WriteInput(sequence, (long)JackTripPacketEncoder.TimestampFrom(TimeProvider.System), block);
            var due = TimeSpan.FromSeconds((sequence + 1) * (double)framesPerBlock / 48000);
            while (clock.Elapsed < due)
            {
                Thread.Sleep(1);
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var period = new float[Participant.PeriodFrames * Participant.Channels];
        var channel0 = new float[Participant.PeriodFrames];
        while (!_stop.IsCancellationRequested && !Participant.HasLeft)
        {
            try
            {
                await Participant.WaitForOutputAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            while (Participant.TryReadOutput(period, out _))
            {
                for (var i = 0; i < channel0.Length; i++)
                {
                    channel0[i] = period[i * Participant.Channels];
                }
                lock (_gate)
                {
                    BlocksReceived++;
                    _received.AddRange(channel0);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _receiveLoop;
        Participant.Dispose();
        _stop.Dispose();
    }
}
