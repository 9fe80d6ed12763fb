namespace Loki.Learning.Web.Features.Recordings;

/// The folder that holds recordings, one sub-folder per take under a random name (configuration <c>Recording:Path</c>,
/// by default "recordings" beside the SQLite file). Files are reached only through names this platform made.
public sealed class RecordingStorage(string folder)
{
    public string Folder { get; } = Path.GetFullPath(folder);

    public static string NewFolderName() => Guid.NewGuid().ToString("N");

    public string FolderOf(string recordingFolder) => Path.Combine(Folder, Checked(recordingFolder));

    /// The full path of a file in a take's folder; only plain names (no folders, no "..") are accepted.
    public string PathOf(string recordingFolder, string fileName) => Path.Combine(FolderOf(recordingFolder), Checked(fileName));

    public void Delete(string recordingFolder)
    {
        var path = FolderOf(recordingFolder);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static string Checked(string name) =>
        name.Length == 0 || Path.GetFileName(name) != name || name.StartsWith('.')
            ? throw new ArgumentException("Not a recording file name.", nameof(name))
            : name;
}
