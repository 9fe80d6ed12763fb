using System.IO.MemoryMappedFiles;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// Ring memory in a memory-mapped file that two processes of the same user map at once (the engine process and the web
/// process). The file lives in a private directory (mode 0700: <see cref="PrivateDirectory"/>), or under /dev/shm so
/// it never reaches a disk; it is created with mode 0600.
/// </summary>
/// <remarks>
/// The mapping's pointer is held from open to <see cref="RingMemory.Dispose"/>; dispose only after this process's ends
/// stopped using it, or leave it to the finalizer (the ring ends keep the memory reachable while they are). The file's size is checked when it is opened. A process that shrinks the file afterwards would make
/// the other's access fault (SIGBUS), which no check can catch: only the node's user can write the directory.
/// </remarks>
public sealed unsafe class MappedRingMemory : RingMemory
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _released;

    private MappedRingMemory(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        Path = path;
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Base = pointer + view.PointerOffset;
        Length = length;
    }

    /// <summary>Unmaps a mapping nobody disposed; nothing can reach its pointer any more.</summary>
    ~MappedRingMemory() => Release();

    /// <summary>The mapped file.</summary>
    public string Path { get; }

    /// <summary>Creates the directory (mode 0700 on Unix) for ring files, if missing, and returns it.</summary>
    public static string PrivateDirectory(string path)
    {
        var directory = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory.FullName;
    }

    /// <summary>Creates a new zeroed file of <paramref name="length"/> bytes and maps it.</summary>
    /// <exception cref="IOException">The file exists already (a ring file is never reused: a new one per attachment).</exception>
    internal static MappedRingMemory Create(string path, long length)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        var stream = new FileStream(path, options);
        try
        {
            stream.SetLength(length);
            return Map(path, stream, length);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Maps an existing file, whole; the caller checks its header.</summary>
    /// <exception cref="RingFormatException">The file is shorter than a ring header.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    internal static MappedRingMemory Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            var length = stream.Length;
            if (length < RingHeader.Length)
            {
                throw new RingFormatException($"The ring file {path} is {length} bytes, shorter than its {RingHeader.Length}-byte header.");
            }
            return Map(path, stream, length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static MappedRingMemory Map(string path, FileStream stream, long length)
    {
        var file = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        try
        {
            return new MappedRingMemory(path, file, file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite), length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
