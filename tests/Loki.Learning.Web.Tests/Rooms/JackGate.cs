namespace Loki.Learning.Web.Tests.Rooms;

/// Tests that start a JACK server take turns: JACK keeps a small machine-wide registry of servers, and on a
/// 2-core machine two servers at once also disturb each other's clocks.
internal static class JackGate
{
    private static readonly SemaphoreSlim Turn = new(1, 1);

    public static async Task<IDisposable> EnterAsync()
    {
        await Turn.WaitAsync();
        return new Release();
    }

    private sealed class Release : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Turn.Release();
            }
        }
    }
}
