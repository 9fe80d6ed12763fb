using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Web.Features.Rooms;

/// Where a room's audience stream reads the mix from (<see cref="RoomMedia.OpenAudience"/>): a tap on the engine in this
/// process, or a ring the engine process writes (<see cref="EngineProcess.ChildAudienceFeed"/>). One reader thread.
public interface IAudienceFeed : IAsyncDisposable
{
    /// Close reason of a stream whose room closed or whose engine stopped with the node.
    public const string EndedReason = "Audience.Ended";

    /// Close reason of a stream whose engine process did not come back: the listeners reload to listen again.
    public const string EngineLostReason = "Audience.EngineLost";

    /// Length of each message in bytes.
    int MessageLength { get; }

    /// Encodes the next message (<see cref="AudienceFrame"/>) into <paramref name="message"/> when one is waiting.
    bool TryEncode(Span<byte> message);

    /// Null while the feed goes on; once it ended, the close reason the listeners are told.
    string? Ended { get; }
}

/// The engine runs in this process: a tap attached to the room, as before the engine could run in a child process.
internal sealed class TapAudienceFeed : IAudienceFeed
{
    private readonly AudienceTap _tap = new();
    private readonly RoomMedia _media;
    private readonly string _mediaRoom;

    public TapAudienceFeed(RoomMedia media, string mediaRoom)
    {
        _media = media;
        _mediaRoom = mediaRoom;
        media.Post(new AttachTap(mediaRoom, _tap));
    }

    public int MessageLength => _tap.MessageLength;

    public string? Ended => _tap.Detached ? IAudienceFeed.EndedReason : null;

    public bool TryEncode(Span<byte> message) => _tap.TryEncode(message);

    public ValueTask DisposeAsync()
    {
        _media.Post(new DetachTap(_mediaRoom, _tap));
        return ValueTask.CompletedTask;
    }
}
