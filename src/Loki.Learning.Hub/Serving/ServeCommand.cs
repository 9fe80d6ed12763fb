using System.Globalization;
using System.Runtime.InteropServices;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Hub.Serving;

/// <summary>
/// Runs a <see cref="MediaEngine"/> as a standalone JackTrip-compatible hub for one room until Ctrl+C, SIGTERM
/// or <c>--seconds</c>; prints joins, leaves and statistics, and a <c>FINAL</c> line for scripts on the way out.
/// </summary>
public sealed class ServeCommand(ServeOptions options, TextWriter log)
{
    private readonly Dictionary<int, ParticipantSnapshot> _latest = [];
    private AddedLatencySnapshot _addedLatency;

    public async Task<int> RunAsync(CancellationToken cancellation)
    {
        var engineOptions = new MediaEngineOptions
        {
            BindAddress = options.Bind,
            TcpPort = options.Port,
            UdpBasePort = options.UdpBase,
            MaxClients = options.MaxClients,
            MaxParticipantsPerRoom = options.MaxClients,
            PeriodFrames = options.Period,
            BitsPerSample = options.Bits,
            StatisticsInterval = options.StatisticsInterval,
            RealTimePriority = options.RealTimePriority,
            SendThreads = options.SendThreads,
            MixThreadCpu = options.MixThreadCpu,
        };
        var policy = new AllowListAdmissionPolicy(options.Room, options.Admit);
        await using var engine = new MediaEngine(engineOptions, policy);
        engine.Start();
        engine.Post(new OpenRoom(options.Room));
        log.WriteLine(Invariant($"serve: listening on {engine.TcpEndPoint} (TCP), UDP from {options.UdpBase}, room '{options.Room}', admitting {string.Join(",", options.Admit)}, {engineOptions.SampleRate} Hz, {options.Period} frames, {options.Bits}-bit"));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (options.RunFor is { } runFor)
        {
            stop.CancelAfter(runFor);
        }
        try
        {
            await foreach (var mediaEvent in engine.Events.ReadAllAsync(stop.Token))
            {
                Report(mediaEvent);
                if (mediaEvent is RoomStatistics)
                {
                    // Running totals, so a bench can take the difference over its own window.
                    log.WriteLine(Invariant($"{mediaEvent.Timestamp:HH:mm:ss} mix thread: {engine.PeriodsElapsed} periods, {engine.LatePeriods} late"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C, SIGTERM or the end of --seconds.
        }

        log.WriteLine("serve: stopping");
        // Read the totals before stopping: stopping removes every participant.
        _addedLatency = engine.GetAddedLatency();
        foreach (var snapshot in engine.GetParticipantSnapshots())
        {
            _latest[snapshot.ParticipantId] = snapshot;
        }
        await engine.StopAsync();
        WriteFinal(engine.LatePeriods, engine.ScheduleResynchronisations);
        return 0;
    }

    private void Report(MediaEvent mediaEvent)
    {
        var time = mediaEvent.Timestamp.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        switch (mediaEvent)
        {
            case ParticipantAdmitted e:
                log.WriteLine(Invariant($"{time} admitted #{e.ParticipantId} '{e.ClientName}' → UDP {e.UdpPort}{(e.HandshakeRoundTrip is { } rtt ? $" (TCP RTT {rtt.TotalMilliseconds:0.000} ms)" : "")}"));
                break;
            case ParticipantRefused e:
                log.WriteLine(Invariant($"{time} refused '{e.ClientName}' from {e.RemoteEndPoint}: {e.Reason}"));
                break;
            case ParticipantJoined e:
                log.WriteLine(Invariant($"{time} joined #{e.ParticipantId} '{e.ClientName}' from {e.RemoteEndPoint}, {e.InputChannels} ch in / {e.OutputChannels} ch out, {e.FramesPerPacket} frames"));
                break;
            case ParticipantLeft e:
                log.WriteLine(Invariant($"{time} left #{e.ParticipantId} '{e.ClientName}' ({e.Reason})"));
                break;
            case ParticipantStatistics e:
                _latest[e.Snapshot.ParticipantId] = e.Snapshot;
                log.WriteLine(Describe(time, e.Snapshot));
                break;
            case RoomStatistics e:
                _addedLatency = e.AddedLatency;
                log.WriteLine(Invariant($"{time} room '{e.RoomId}': {e.Participants} participants, added latency p50 {Ms(e.AddedLatency.P50)} p99 {Ms(e.AddedLatency.P99)} max {Ms(e.AddedLatency.Max)} ms over {e.AddedLatency.Periods} periods{(e.WorstOneWayDelay is { } worst ? $", worst one-way {Ms(worst)} ms" : "")}"));
                break;
            case DatagramRejected e:
                log.WriteLine(Invariant($"{time} rejected {e.Count} datagrams from #{e.ParticipantId}: {e.Reason}"));
                break;
            case CommandRejected e:
                log.WriteLine(Invariant($"{time} command {e.Command.GetType().Name} rejected: {e.Refusal}"));
                break;
            case MixThreadScheduling e:
                log.WriteLine($"{time} mix thread: {(e.RealTime ? "real-time, " : "normal priority: real-time ")}{e.Detail}");
                break;
            case MixThreadPinned e:
                log.WriteLine($"{time} mix thread: {(e.Refused is null ? $"pinned to CPU {e.Cpu}" : $"not pinned to CPU {e.Cpu}: {e.Refused}")}");
                break;
            case EngineError e:
                log.WriteLine(Invariant($"{time} error: {e.Message}{(e.Exception is null ? "" : " (" + e.Exception.Message + ")")}"));
                break;
            case RoomOpened e:
                log.WriteLine($"{time} room '{e.RoomId}' open");
                break;
            case RoomClosed e:
                log.WriteLine($"{time} room '{e.RoomId}' closed");
                break;
        }
    }

    private static string Describe(string time, ParticipantSnapshot s)
    {
        var j = s.JitterBuffer;
        var concealedShare = j.PeriodsRead == 0 ? 0 : 100.0 * j.ConcealedPeriods / j.PeriodsRead;
        var upstream = s.Latency.UpstreamDelay is { } up ? $", upstream {Ms(up)} ms" : "";
        return Invariant(
            $"{time} #{s.ParticipantId} '{s.ClientName}': in {s.DatagramsReceived} out {s.DatagramsSent} bad {s.DatagramsRejected} (strangers {s.DatagramsFromStrangers}); buffer {j.DepthFrames}/{j.TargetDepthFrames} frames, jitter {j.JitterMicroseconds / 1000:0.00} ms, play delay {j.PlayDelayMicroseconds / 1000:0.0} ms, lost {j.Lost}, late {j.Late}, concealed {concealedShare:0.000} % ({j.ConcealedPeriods}/{j.PeriodsRead}), underruns {j.Underruns}{upstream}");
    }

    private void WriteFinal(long latePeriods, long resynchronisations)
    {
        var periodsRead = _latest.Values.Sum(s => s.JitterBuffer.PeriodsRead);
        var concealed = _latest.Values.Sum(s => s.JitterBuffer.ConcealedPeriods);
        var lost = _latest.Values.Sum(s => s.JitterBuffer.Lost);
        var late = _latest.Values.Sum(s => s.JitterBuffer.Late);
        var underruns = _latest.Values.Sum(s => s.JitterBuffer.Underruns);
        log.WriteLine(Invariant(
            $"FINAL added_p50_ms={Ms(_addedLatency.P50)} added_p99_ms={Ms(_addedLatency.P99)} added_max_ms={Ms(_addedLatency.Max)} added_periods={_addedLatency.Periods} participants_seen={_latest.Count} periods_read={periodsRead} concealed_periods={concealed} lost={lost} late={late} underruns={underruns} late_periods={latePeriods} resynchronisations={resynchronisations}"));
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Cancels <paramref name="source"/> on Ctrl+C and on SIGTERM (systemd, docker stop, kill).</summary>
    public static IDisposable CancelOnShutdownSignals(CancellationTokenSource source)
    {
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            source.Cancel();
        }
        var registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        };
        return new Registrations(registrations);
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
