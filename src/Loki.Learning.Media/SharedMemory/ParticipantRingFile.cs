namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// Creates the shared file for one browser participant's rings on the engine's side: the engine process then attaches
/// the participant over it (<see cref="Engine.MediaEngine.AttachSharedExternal"/>)
/// and the web process opens its end (<see cref="SharedParticipantTransport.Open"/>) with the path and generation the
/// control channel passes.
/// </summary>
public static class ParticipantRingFile
{
    /// <summary>Creates <paramref name="path"/> (which must not exist) sized and headed for the participant's rings.</summary>
    /// <param name="path">A new file in a private directory (<see cref="MappedRingMemory.PrivateDirectory"/>) or under /dev/shm.</param>
    /// <param name="channels">1 or 2.</param>
    /// <param name="periodFrames">The engine's frames per period.</param>
    /// <param name="sampleRate">The engine's sample rate.</param>
    /// <param name="generation">Written into the header; the web side refuses a file of another generation.</param>
    /// <returns>The mapping; the engine's side is marked attached.</returns>
    public static MappedRingMemory Create(string path, int channels, int periodFrames, int sampleRate, ulong generation)
    {
        var layout = ParticipantRingLayout.For(channels, periodFrames, sampleRate);
        var memory = MappedRingMemory.Create(path, layout.TotalLength);
        layout.Initialize(memory, generation);
        RingHeader.Attach(memory, RingSide.Engine);
        return memory;
    }
}
