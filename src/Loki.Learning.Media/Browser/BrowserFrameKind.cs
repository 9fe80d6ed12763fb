namespace Loki.Learning.Media.Browser;

/// <summary>Byte 1 of a browser WebSocket frame.</summary>
public enum BrowserFrameKind : byte
{
    /// <summary>Audio, either direction: int16 planar samples follow the header.</summary>
    Audio = 1,

    /// <summary>Client → server: the client's send time, to be echoed in a <see cref="Pong"/>.</summary>
    Ping = 2,

    /// <summary>Server → client: the ping's sequence and timestamp echoed, plus the server's receive time.</summary>
    Pong = 3,
}
