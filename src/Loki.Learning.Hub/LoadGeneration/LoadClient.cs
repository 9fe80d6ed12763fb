using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>
/// One simulated JackTrip hub client: its UDP socket, its uplink encoder and what it has heard back.
/// The pacing thread owns the sending half, the receive thread the receiving half; counters that the
/// report reads across threads are written with <see cref="Interlocked"/>.
/// </summary>
public sealed class LoadClient : IDisposable
{
    private readonly float[] _planar;
    private readonly byte[] _datagram;
    private readonly double _toneStep;
    private readonly float _toneAmplitude;
    private double _tonePhase;
    private long _sent;

    public LoadClient(int index, string name, LoadOptions options, int toneClients)
    {
        Index = index;
        Name = name;
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        Socket.ReceiveBufferSize = 1 << 20;
        Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Encoder = new JackTripPacketEncoder(options.SampleRate, options.Bits, options.Period, options.Channels, options.Channels, options.Redundancy);
        _planar = new float[options.Period * options.Channels];
        _datagram = new byte[Encoder.MaxDatagramLength];
        // Each client plays its own pitch on channel 1, quiet enough that a full room's mix does not clip.
        _toneStep = 2 * Math.PI * (220 + 10 * index) / options.SampleRate;
        _toneAmplitude = 0.5f / Math.Max(1, toneClients);
        Period = options.Period;
    }

    public int Index { get; }
    public string Name { get; }
    public Socket Socket { get; }
    public JackTripPacketEncoder Encoder { get; }
    public int Period { get; }
    public IPEndPoint? HubEndPoint { get; set; }
    public int LocalPort => ((IPEndPoint)Socket.LocalEndPoint!).Port;
    public long Sent => Interlocked.Read(ref _sent);

    // Receive-thread state.
    public long Received { get; set; }
    public long Lost { get; set; }
    public long OutOfOrder { get; set; }
    public long Duplicates { get; set; }
    public long Stalls { get; set; }

    /// <summary>Stalls after the warm-up (every client joining in the same period is not what a hub meets in use).</summary>
    public long SteadyStalls { get; set; }
    public long Malformed { get; set; }
    public long ExitsReceived { get; set; }
    public int LastSequence { get; set; } = -1;
    public long LastArrivalTicks { get; set; }
    public bool MarkerWasPresent { get; set; }
    public int LastRoundHeard { get; set; } = -1;

    /// <summary>Encodes and sends the next period; <paramref name="marker"/> (±0.5 or 0) fills channel 2.</summary>
    public void SendPeriod(float marker, ulong timestampMicroseconds)
    {
        var tone = _planar.AsSpan(0, Period);
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = _toneAmplitude * (float)Math.Sin(_tonePhase);
            _tonePhase += _toneStep;
        }
        _tonePhase %= 2 * Math.PI;
        _planar.AsSpan(Period, Period).Fill(marker);
        _planar.AsSpan(2 * Period).Clear();

        var length = Encoder.Encode(_planar, timestampMicroseconds, _datagram);
        SendRaw(_datagram.AsSpan(0, length));
    }

    public void SendExit()
    {
        Span<byte> exit = stackalloc byte[JackTripDatagram.ExitLength];
        JackTripDatagram.WriteExit(exit);
        // JackTrip says goodbye twice in case one is lost.
        SendRaw(exit);
        SendRaw(exit);
    }

    public void Dispose() => Socket.Dispose();

    private void SendRaw(ReadOnlySpan<byte> datagram)
    {
        if (HubEndPoint is null)
        {
            return;
        }
        try
        {
            Socket.SendTo(datagram, SocketFlags.None, HubEndPoint);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException)
        {
            // A full send buffer or an ICMP error loses this datagram; the receiver counts it as lost.
        }
    }
}
