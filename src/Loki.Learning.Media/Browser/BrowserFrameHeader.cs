namespace Loki.Learning.Media.Browser;

/// <summary>The validated fields of one browser WebSocket frame (see <see cref="BrowserFrame.TryRead"/>).</summary>
/// <param name="Kind">Audio, ping or pong.</param>
/// <param name="Channels">1 or 2 for audio, 0 otherwise.</param>
/// <param name="Frames">Frames in an audio frame (1..1024), 0 otherwise.</param>
/// <param name="Sequence">Sender's sequence number (one counter per direction, wraps); a pong echoes its ping's.</param>
/// <param name="TimestampMicroseconds">Sender's clock in µs since the Unix epoch; in a pong, the ping's timestamp echoed.</param>
/// <param name="ServerReceiveMicroseconds">Pong only: the server's clock (µs since the Unix epoch) when the ping arrived; 0 otherwise.</param>
public readonly record struct BrowserFrameHeader(
    BrowserFrameKind Kind,
    int Channels,
    int Frames,
    uint Sequence,
    long TimestampMicroseconds,
    long ServerReceiveMicroseconds)
{
    /// <summary>Samples in the audio payload (frames × channels); 0 for ping and pong.</summary>
    public int SampleCount => Frames * Channels;

    /// <summary>Total length of the frame this header describes, in bytes.</summary>
    public int Length => Kind switch
    {
        BrowserFrameKind.Audio => BrowserFrame.HeaderLength + (SampleCount * BrowserFrame.BytesPerSample),
        BrowserFrameKind.Pong => BrowserFrame.PongLength,
        _ => BrowserFrame.PingLength,
    };
}
