using Loki.Learning.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Loki.Learning.Web.Tests.Hosting;

/// One node (Cluster:Mode=Localhost, the default): room state in the "rooms" storage lives in orleans.db beside the
/// SQLite database and is still there after the node restarts.
public sealed class SingleNodeRoomStateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-node-").FullName;

    [Fact]
    public async Task RoomStateSurvivesARestartOfTheNode()
    {
        var room = GrainId.Create("room", "restart-" + Guid.NewGuid().ToString("N")[..8]);
        var written = new GrainState<string> { State = "tempo 72, count-in on" };

        var before = Node();
        try
        {
            await before.InitializeAsync();
            await Storage(before).WriteStateAsync("room", room, written);
        }
        finally
        {
            await before.DisposeAsync();
        }

        var after = Node();
        var read = new GrainState<string>();
        try
        {
            await after.InitializeAsync();
            await Storage(after).ReadStateAsync("room", room, read);
            // A writer that still holds the version from before the restart is refused once the state has moved on.
            await Storage(after).WriteStateAsync("room", room, new GrainState<string> { State = "tempo 80", ETag = read.ETag, RecordExists = true });
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() => Storage(after).WriteStateAsync("room", room, read));
        }
        finally
        {
            await after.DisposeAsync();
        }

        Assert.True(read.RecordExists);
        Assert.Equal("tempo 72, count-in on", read.State);
        Assert.True(File.Exists(Path.Combine(_folder, "orleans.db")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private RunningApp Node() => new() { Settings = new Dictionary<string, string?> { ["Database:Path"] = Path.Combine(_folder, "loki.db") } };

    private static IGrainStorage Storage(RunningApp node) => node.Services.GetRequiredKeyedService<IGrainStorage>(RoomStateStorage.Name);
}
