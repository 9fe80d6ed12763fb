using System.Buffers.Binary;

namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// One end of the control channel over a connected stream: reads whole frames, and sends frames built under a lock
/// (several threads send: the event pump, admission, levels). Reading is for one reader only.
/// </summary>
public sealed class ControlConnection(Stream stream) : IAsyncDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ControlWriter _writer = new();
    private readonly byte[] _header = new byte[ControlChannel.HeaderLength];
    private byte[] _body = new byte[1024];

    /// <summary>Reads the next frame's body (type byte first). Only the returned memory's owner may read it, until the next call.</summary>
    /// <returns>The body, or <c>null</c> when the other side closed the connection between two frames.</returns>
    /// <exception cref="ControlProtocolException">A length outside 1..<see cref="ControlChannel.MaxBodyLength"/>, or the connection ended inside a frame: the stream cannot be read further.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        if (length < 1 || length > ControlChannel.MaxBodyLength)
        {
            throw new ControlProtocolException($"A frame length of {length} bytes is outside 1..{ControlChannel.MaxBodyLength}; the connection cannot go on.");
        }
        if (_body.Length < length)
        {
            _body = new byte[Math.Max(length, _body.Length * 2)];
        }
        var body = _body.AsMemory(0, length);
        if (!await FillAsync(body, cancellationToken).ConfigureAwait(false))
        {
            throw new ControlProtocolException($"The connection ended inside a frame of {length} bytes.");
        }
        return body;
    }

    /// <returns><c>false</c> when the stream ended before the first byte.</returns>
    private async ValueTask<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var count = await stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                if (filled == 0)
                {
                    return false;
                }
                throw new ControlProtocolException($"The connection ended after {filled} of {buffer.Length} bytes.");
            }
            filled += count;
        }
        return true;
    }

    /// <summary>Builds a frame with <paramref name="build"/> (under the send lock) and sends it.</summary>
    public async Task SendAsync<TState>(TState state, Func<ControlWriter, TState, ReadOnlyMemory<byte>> build, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var frame = build(_writer, state);
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Sends an <see cref="ControlMessage.Error"/> frame, ignoring a connection that is already gone.</summary>
    public async Task TrySendErrorAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(text, static (w, t) => ControlCodec.ErrorFrame(w, t), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The other side is gone; there is nobody to tell.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        _sending.Dispose();
    }
}

/// <summary>The hello each side sends first.</summary>
/// <param name="Version">The protocol version of the sender.</param>
/// <param name="TcpPort">The engine's bound JackTrip TCP port (0 in the node's hello).</param>
/// <param name="ProcessId">The engine's process id (0 in the node's hello).</param>
public readonly record struct ControlHello(ushort Version, int TcpPort, int ProcessId)
{
    /// <summary>Writes a whole <see cref="ControlMessage.Hello"/> frame.</summary>
    public ReadOnlyMemory<byte> Frame(ControlWriter w)
    {
        w.Begin(ControlMessage.Hello);
        w.UInt32(ControlChannel.Magic);
        w.UInt16(Version);
        w.Int32(TcpPort);
        w.Int32(ProcessId);
        return w.End();
    }

    /// <summary>Reads a hello's fields (after the type byte).</summary>
    /// <exception cref="ControlProtocolException">Not a hello of this protocol.</exception>
    public static ControlHello Read(ref ControlReader r)
    {
        if (r.UInt32("magic") != ControlChannel.Magic)
        {
            throw new ControlProtocolException("The hello does not start with the control channel's magic number: not a Loki engine control connection.");
        }
        var hello = new ControlHello(r.UInt16("version"), r.Int32("tcp port", 0, 65535), r.Int32("process id"));
        r.End("the hello");
        return hello;
    }
}
