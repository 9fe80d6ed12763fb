using Loki.Learning.Media.Audience;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// Creates the shared file for a room's audience ring on the engine's side: the engine process taps the room with an
/// <see cref="AudienceTap"/> over it, and the web process's broadcaster reads it with <see cref="SharedAudienceReader"/>.
/// </summary>
public static class AudienceRingFile
{
    /// <summary>Creates <paramref name="path"/> (which must not exist) sized and headed for an audience ring.</summary>
    /// <param name="path">A new file in a private directory (<see cref="MappedRingMemory.PrivateDirectory"/>) or under /dev/shm.</param>
    /// <param name="periodFrames">The engine's frames per period.</param>
    /// <param name="generation">Written into the header; the reader refuses a file of another generation.</param>
    public static MappedRingMemory Create(string path, int periodFrames, ulong generation)
    {
        var layout = AudienceRingLayout.For(periodFrames);
        var memory = MappedRingMemory.Create(path, layout.TotalLength);
        layout.Initialize(memory, generation);
        RingHeader.Attach(memory, RingSide.Engine);
        return memory;
    }
}
