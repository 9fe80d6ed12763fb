using System.Buffers.Binary;
using System.Net.Sockets;

namespace Loki.Learning.Media.Engine;

/// <summary>Reads the kernel's round-trip estimate of a TCP connection (Linux TCP_INFO), which needs no clock agreement.</summary>
internal static class TcpRoundTrip
{
    private const int IpProtocolTcp = 6;
    private const int TcpInfoOption = 11;
    private const int RttOffset = 68; // struct tcp_info: __u32 tcpi_rtt (µs)

    public static TimeSpan? TryMeasure(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            Span<byte> info = stackalloc byte[232];
            var length = socket.GetRawSocketOption(IpProtocolTcp, TcpInfoOption, info);
            if (length < RttOffset + 4)
            {
                return null;
            }
            var microseconds = BinaryPrimitives.ReadUInt32LittleEndian(info[RttOffset..]);
            return microseconds == 0 ? null : TimeSpan.FromMicroseconds(microseconds);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
