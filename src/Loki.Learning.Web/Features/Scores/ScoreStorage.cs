namespace Loki.Learning.Web.Features.Scores;

/// The folder that holds uploaded score files under random names (configuration <c>Scores:Path</c>,
/// by default "scores" beside the SQLite file). A file is written under a temporary name and then
/// renamed, so a crash mid-upload leaves at most a stray ".part" file, never a half score.
public sealed class ScoreStorage(string folder)
{
    public string Folder { get; } = Path.GetFullPath(folder);

    public static string NewFileName(string extension) => $"{Guid.NewGuid():N}{extension}";

    public async Task SaveAsync(string storedFileName, byte[] content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var target = PathOf(storedFileName);
        var temporary = target + ".part";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// Writes the file, then the row that names it; if the row is refused the file goes again, so no file is left
    /// that no row points at.
    public async Task SaveWithRowAsync(string storedFileName, byte[] content, Func<Task> saveRow, CancellationToken cancellationToken)
    {
        await SaveAsync(storedFileName, content, cancellationToken);
        try
        {
            await saveRow();
        }
        catch
        {
            Delete(storedFileName);
            throw;
        }
    }

    public void Delete(string storedFileName) => File.Delete(PathOf(storedFileName));

    /// The full path of a stored file; only names this class made (no folders, no "..") are accepted.
    public string PathOf(string storedFileName)
    {
        if (storedFileName.Length == 0 || Path.GetFileName(storedFileName) != storedFileName || storedFileName.StartsWith('.'))
        {
            throw new ArgumentException("Not a stored score file name.", nameof(storedFileName));
        }
        return Path.Combine(Folder, storedFileName);
    }

    public static string ContentTypeOf(string storedFileName) => Path.GetExtension(storedFileName).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".mxl" => "application/vnd.recordare.musicxml",
        _ => "application/vnd.recordare.musicxml+xml",
    };
}
