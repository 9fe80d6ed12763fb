using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Features.Materials;

/// The folder that holds course material files under random names (configuration <c>Materials:Path</c>, by default
/// "materials" beside the SQLite file). Written the way score files are (a temporary name, then a rename), so a
/// crash mid-upload leaves at most a stray ".part" file; only names made here are ever turned into paths.
public sealed class MaterialStorage(string folder)
{
    private readonly ScoreStorage _files = new(folder);

    public string Folder => _files.Folder;

    public static string NewFileName(string extension) => ScoreStorage.NewFileName(extension);

    public Task SaveAsync(string storedFileName, byte[] content, CancellationToken cancellationToken) => _files.SaveAsync(storedFileName, content, cancellationToken);

    public Task SaveWithRowAsync(string storedFileName, byte[] content, Func<Task> saveRow, CancellationToken cancellationToken) =>
        _files.SaveWithRowAsync(storedFileName, content, saveRow, cancellationToken);

    public void Delete(string storedFileName) => _files.Delete(storedFileName);

    public string PathOf(string storedFileName) => _files.PathOf(storedFileName);
}
