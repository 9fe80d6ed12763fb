namespace Loki.Learning.Web.Features.Video;

/// How many relay connections each person holds in each room on this node. The picture limit is per connection
/// (<see cref="VideoOptions.PicturesPerConnection"/>), so without a cap on connections one member with a script could
/// open as many as they liked and have Janus forward every camera to each of them.
public sealed class RelayConnections
{
    private readonly Dictionary<(Guid RoomId, string PersonId), int> _open = [];

    /// A lease on one more connection for the person in the room, or null when they hold <paramref name="limit"/> already.
    public IDisposable? TryOpen(Guid roomId, string personId, int limit)
    {
        var key = (roomId, personId);
        lock (_open)
        {
            var held = _open.GetValueOrDefault(key);
            if (held >= limit)
            {
                return null;
            }
            _open[key] = held + 1;
        }
        return new Lease(this, key);
    }

    /// Connections the person holds in the room now.
    public int Held(Guid roomId, string personId)
    {
        lock (_open)
        {
            return _open.GetValueOrDefault((roomId, personId));
        }
    }

    private void Close((Guid, string) key)
    {
        lock (_open)
        {
            if (_open[key] <= 1)
            {
                _open.Remove(key);
            }
            else
            {
                _open[key]--;
            }
        }
    }

    private sealed class Lease(RelayConnections owner, (Guid, string) key) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                owner.Close(key);
            }
        }
    }
}
