using System.Net;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Engine;

/// <summary>Configuration of a <see cref="MediaEngine"/>. Defaults match a JackTrip hub (port 4464, UDP 61002 + slot, 48 kHz, 16-bit).</summary>
public sealed record MediaEngineOptions
{
    /// <summary>Address the TCP handshake listener and the per-client UDP sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port of the handshake listener; 0 lets the system choose (read <see cref="MediaEngine.TcpEndPoint"/>).</summary>
    public int TcpPort { get; init; } = 4464;

    /// <summary>UDP port of slot 0; slot n uses this + n. 0 lets the system choose a free port per slot.</summary>
    public int UdpBasePort { get; init; } = 61002;

    /// <summary>Most JackTrip clients connected at once (slots).</summary>
    public int MaxClients { get; init; } = 128;

    /// <summary>Most participants in one room.</summary>
    public int MaxParticipantsPerRoom { get; init; } = 64;

    /// <summary>The hub's sample rate; clients with another rate are refused.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>The hub's bit depth (8, 16, 24 or 32); clients with another depth are refused.</summary>
    public int BitsPerSample { get; init; } = 16;

    /// <summary>Frames per mixing period: 32, 64, 128 or 256.</summary>
    public int PeriodFrames { get; init; } = 128;

    /// <summary>A slot whose client sent no datagram within this time after the handshake is freed.</summary>
    public TimeSpan FirstPacketTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A client that sent nothing for this long is dropped.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a client's handshake message on the TCP connection.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A handshake connection that has not sent its 4-byte request within this time is closed: an idle connection must
    /// not hold a descriptor (real clients send the request in their first write).
    /// </summary>
    public TimeSpan HandshakeIdleTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Handshake connections open at once; one beyond this is closed as soon as it is accepted.</summary>
    public int MaxConcurrentHandshakes { get; init; } = 64;

    /// <summary>Handshake connections open at once from one IP address; one beyond this is closed as soon as it is accepted.</summary>
    public int MaxHandshakesPerAddress { get; init; } = 4;

    /// <summary>
    /// How long a client whose datagrams come from another port of its handshake's IP address (a client behind NAT)
    /// waits before the hub adopts that port, provided nothing came from the port it announced meanwhile. Long enough for
    /// a client on the same machine as an attacker to send from its announced port first; see docs/protocol.md §1.5.
    /// </summary>
    public TimeSpan NatAdoptionDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait, after the first 4 bytes, for the 64-byte name an older client may not send.</summary>
    public TimeSpan HandshakeNameWait { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Interval of <see cref="ParticipantStatistics"/> events and metric snapshots.</summary>
    public TimeSpan StatisticsInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum time between two <see cref="DatagramRejected"/> events for one participant.</summary>
    public TimeSpan RejectionReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Commands the queue holds before <see cref="MediaEngine.Post"/> returns <c>false</c>.</summary>
    public int CommandQueueCapacity { get; init; } = 1024;

    /// <summary>Events kept for a slow reader; the oldest are dropped beyond this.</summary>
    public int EventQueueCapacity { get; init; } = 4096;

    /// <summary>
    /// Linux SCHED_FIFO priority (1–99) the mix thread asks for, like JACK's and JackTrip's audio threads; 0 leaves it
    /// at normal priority. Granted to root, to a service with CAP_SYS_NICE, or with LimitRTPRIO; a
    /// <see cref="MixThreadScheduling"/> event says whether it was.
    /// </summary>
    public int RealTimePriority { get; init; } = 20;

    /// <summary>
    /// The CPU (0-based) the mix thread is pinned to on Linux, or -1 to let the scheduler move it. Pinning keeps the
    /// mix thread's cache warm and, together with a GC kept off that CPU (<c>DOTNET_GCHeapAffinitizeMask</c>), gives it
    /// a core of its own; a <see cref="MixThreadScheduling"/> event says whether it was pinned. See docs/benchmarks.md §8.
    /// </summary>
    public int MixThreadCpu { get; init; } = -1;

    /// <summary>
    /// Threads that share a period's sends (encode and hand to the kernel every personal mix): 1 = the mix thread alone;
    /// more adds helper threads at the same priority (Linux x64 only; elsewhere the mix thread sends alone). Helps only
    /// with many participants and a free core; see docs/benchmarks.md §2 before raising it.
    /// </summary>
    public int SendThreads { get; init; } = 1;

    /// <summary>
    /// Participant ids start after this number. An engine that replaces another (a restarted engine process) starts
    /// above the ids the control plane saw, so a command meant for a participant of the old engine never reaches a new
    /// one that happens to get the same id.
    /// </summary>
    public int ParticipantIdBase { get; init; }

    /// <summary>Receive the way other systems do even on Linux x64 (tests exercise both paths).</summary>
    internal bool PortableReceive { get; init; }

    /// <summary>Tuning of every participant's jitter buffer (its sample rate and timestamp unit are set by the engine).</summary>
    public JitterBufferOptions JitterBuffer { get; init; } = new();

    /// <summary>
    /// Tuning of external (browser) participants' jitter buffers; <c>null</c> = <see cref="JitterBuffer"/>. A
    /// participant attached with options of its own (<see cref="MediaEngine.AttachExternal"/>, a room's policy) uses those.
    /// </summary>
    public JitterBufferOptions? ExternalJitterBuffer { get; init; }

    /// <summary>Most a browser participant's jitter buffer holds in a room whose policy is tight (<see cref="SetJitterPolicy"/>), in ms.</summary>
    public double TightJitterMilliseconds { get; init; } = Jitter.JitterPolicies.DefaultTightMilliseconds;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        if (PeriodFrames is not (32 or 64 or 128 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(PeriodFrames), PeriodFrames, "The period must be 32, 64, 128 or 256 frames.");
        }
        if (!JackTrip.JackTripHeader.TryGetSampleRateCode(SampleRate, out _))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "JackTrip has no code for this sample rate.");
        }
        if (JackTrip.JackTripSampleCodec.BytesPerSample(BitsPerSample) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BitsPerSample), BitsPerSample, "Bits per sample must be 8, 16, 24 or 32.");
        }
        if (TcpPort is < 0 or > 65535 || UdpBasePort < 0 || UdpBasePort + MaxClients > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(UdpBasePort), "Ports must lie within 0..65535.");
        }
        if (SendThreads is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(SendThreads), SendThreads, "Send threads are 1 (the mix thread alone) to 8.");
        }
        if (RealTimePriority is < 0 or > 99)
        {
            throw new ArgumentOutOfRangeException(nameof(RealTimePriority), "The real-time priority is 0 (off) or 1–99.");
        }
        if (MixThreadCpu < -1 || MixThreadCpu >= Environment.ProcessorCount)
        {
            throw new ArgumentOutOfRangeException(nameof(MixThreadCpu), MixThreadCpu, $"The mix thread's CPU is -1 (not pinned) or 0–{Environment.ProcessorCount - 1}.");
        }
        if (ParticipantIdBase is < 0 or > int.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(ParticipantIdBase), ParticipantIdBase, $"The participant id base is 0 to {int.MaxValue / 2}.");
        }
        if (MaxClients < 1 || MaxParticipantsPerRoom < 1 || CommandQueueCapacity < 1 || EventQueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClients), "Counts and capacities must be positive.");
        }
        if (MaxConcurrentHandshakes < 1 || MaxHandshakesPerAddress < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentHandshakes), "Handshake caps must be positive.");
        }
        if (HandshakeIdleTimeout <= TimeSpan.Zero || NatAdoptionDelay < TimeSpan.Zero || NatAdoptionDelay >= FirstPacketTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(NatAdoptionDelay), "The handshake idle timeout must be positive and the NAT adoption delay shorter than the first-packet timeout.");
        }
        if (FirstPacketTimeout <= TimeSpan.Zero || SilenceTimeout <= TimeSpan.Zero || StatisticsInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceTimeout), "Timeouts and intervals must be positive.");
        }
    }
}
