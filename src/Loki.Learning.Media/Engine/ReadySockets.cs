using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Which client sockets have datagrams waiting, asked once for all of them (Linux <c>epoll</c>), and a receive that
/// says "nothing" without a system call to ask first or an exception. Per client and period that leaves one
/// <c>recvfrom</c> where the portable path needs <c>FIONREAD</c>, <c>recvfrom</c> and <c>FIONREAD</c> again: the
/// receive half of the hub's per-client cost is mostly system calls.
/// </summary>
/// <remarks>
/// Linux on x64 only (the packed <c>epoll_event</c> layout is x64's); <see cref="TryCreate"/> returns <c>null</c>
/// elsewhere and the mix thread uses <see cref="Socket.Available"/> and <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, SocketAddress)"/>.
/// Used by the mix thread alone. Nothing here allocates after construction.
/// </remarks>
internal sealed unsafe partial class ReadySockets : IDisposable
{
    private const int EpollCtlAdd = 1;
    private const int EpollIn = 0x001;
    private const int EpollCloexec = 0x80000;
    private const int MsgDontWait = 0x40;
    private const int WouldBlock = 11; // EAGAIN
    private const int Interrupted = 4; // EINTR

    private readonly int _epoll;
    private readonly EpollEvent* _events;
    private readonly int _capacity;
    private int _ready;

    private ReadySockets(int epoll, int capacity)
    {
        _epoll = epoll;
        _capacity = capacity;
        _events = (EpollEvent*)NativeMemory.Alloc((nuint)capacity, (nuint)sizeof(EpollEvent));
    }

    /// <summary>A poller for up to <paramref name="capacity"/> sockets, or <c>null</c> where this path is unavailable.</summary>
    public static ReadySockets? TryCreate(int capacity)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;
        }
        var epoll = epoll_create1(EpollCloexec);
        return epoll < 0 ? null : new ReadySockets(epoll, Math.Max(1, capacity));
    }

    /// <summary>
    /// Watches <paramref name="socket"/> for datagrams; <paramref name="key"/> comes back from <see cref="KeyAt"/>.
    /// Returns the descriptor for <see cref="TryReceive"/>, or -1 if it cannot be watched.
    /// </summary>
    /// <remarks>Closing the socket is enough to stop watching it; the descriptor is valid until then.</remarks>
    public int Watch(Socket socket, int key)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var watched = new EpollEvent { Events = EpollIn, Data = (ulong)key };
        return epoll_ctl(_epoll, EpollCtlAdd, fd, &watched) == 0 ? fd : -1;
    }

    /// <summary>
    /// Asks which watched sockets are readable, waiting up to <paramref name="timeoutMs"/> for one (the mix thread
    /// never waits); returns how many (see <see cref="KeyAt"/>).
    /// </summary>
    public int Poll(int timeoutMs = 0)
    {
        int count;
        do
        {
            count = epoll_wait(_epoll, _events, _capacity, timeoutMs);
        }
        while (count < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        _ready = Math.Max(count, 0);
        return _ready;
    }

    /// <summary>The key of the <paramref name="index"/>th readable socket of the last <see cref="Poll"/>.</summary>
    public int KeyAt(int index) => index < _ready ? (int)_events[index].Data : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>
    /// Receives one datagram if one is waiting. <paramref name="result"/> is its length for
    /// <see cref="Received.Datagram"/> (zero-length datagrams included) and the <c>errno</c> for
    /// <see cref="Received.Failure"/> (an ICMP "port unreachable" for an earlier send surfaces here as ECONNREFUSED).
    /// </summary>
    public static Received TryReceive(int fd, Span<byte> buffer, SocketAddress from, out int result)
    {
        var addressLength = from.Buffer.Length;
        nint received;
        fixed (byte* data = buffer)
        fixed (byte* address = from.Buffer.Span)
        {
            received = recvfrom(fd, data, (nuint)buffer.Length, MsgDontWait, address, &addressLength);
        }
        if (received < 0)
        {
            result = Marshal.GetLastPInvokeError();
            return result is WouldBlock or Interrupted ? Received.Nothing : Received.Failure;
        }
        from.Size = addressLength;
        result = (int)received;
        return Received.Datagram;
    }

    public enum Received
    {
        Nothing,
        Datagram,
        Failure,
    }

    public void Dispose()
    {
        NativeMemory.Free(_events);
        close(_epoll);
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int fd, EpollEvent* watched);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, EpollEvent* events, int capacity, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, byte* address, int* addressLength);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
