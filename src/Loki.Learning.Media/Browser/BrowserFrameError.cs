namespace Loki.Learning.Media.Browser;

/// <summary>Why a browser WebSocket frame was rejected by <see cref="BrowserFrame.TryRead"/>.</summary>
public enum BrowserFrameError
{
    /// <summary>The frame is valid.</summary>
    None = 0,

    /// <summary>Fewer bytes than the 24-byte header.</summary>
    ShorterThanHeader,

    /// <summary>Byte 0 is not version 1.</summary>
    UnsupportedVersion,

    /// <summary>Byte 1 is not 1 (audio), 2 (ping) or 3 (pong).</summary>
    UnknownKind,

    /// <summary>Byte 2 is not 1 or 2 for audio, or not 0 for ping and pong.</summary>
    InvalidChannels,

    /// <summary>Byte 3 is not 1 (int16) for audio, or not 0 for ping and pong.</summary>
    InvalidSampleFormat,

    /// <summary>Bytes 4–5 are not 1..1024 for audio, or not 0 for ping and pong.</summary>
    InvalidFrameCount,

    /// <summary>A reserved field (bytes 6–7 or 12–15) is not zero.</summary>
    ReservedNotZero,

    /// <summary>The length differs from what the header describes (24 + frames × channels × 2 for audio, 24 for ping, 32 for pong).</summary>
    LengthMismatch,
}
