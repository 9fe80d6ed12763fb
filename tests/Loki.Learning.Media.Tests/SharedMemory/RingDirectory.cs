using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>A private directory (mode 0700) for one test's ring files, deleted with them.</summary>
internal sealed class RingDirectory : IDisposable
{
    public string Path { get; } = MappedRingMemory.PrivateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loki-rings-" + Guid.NewGuid().ToString("N")));

    /// <summary>A new file name in the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
