using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>The open rooms, by id and in opening order (the mix loop walks the list). Mix thread alone.</summary>
internal sealed class MixRooms(int periodFrames, int capacity, MixOutbox outbox, TimeProvider time)
{
    private readonly Dictionary<string, MixingRoom> _byId = new(StringComparer.Ordinal);
    private readonly List<MixingRoom> _list = new(16);

    /// <summary>The open rooms in opening order.</summary>
    public List<MixingRoom> All => _list;

    /// <summary>The room, opened (and reported) if it was not.</summary>
    public MixingRoom Open(string roomId)
    {
        if (!_byId.TryGetValue(roomId, out var room))
        {
            room = new MixingRoom(roomId, periodFrames, capacity);
            _byId.Add(roomId, room);
            _list.Add(room);
            outbox.Report(new RoomOpened(time.GetUtcNow(), roomId));
        }
        return room;
    }

    public bool TryGet(string roomId, out MixingRoom room) => _byId.TryGetValue(roomId, out room!);

    /// <summary>Forgets a room (its participants and taps are the caller's to let go first).</summary>
    public void Remove(MixingRoom room)
    {
        _byId.Remove(room.RoomId);
        _list.Remove(room);
    }

    /// <summary>Whether any room has a tap (a recorder, an audience stream) that wants periods even with nobody in it.</summary>
    public bool AnyTapped()
    {
        foreach (var room in _list)
        {
            if (room.Taps.Length > 0)
            {
                return true;
            }
        }
        return false;
    }
}
