using System.Diagnostics;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// Where the media engine runs (<c>Media:Process</c>).
public enum MediaProcess
{
    /// In the web process, on a thread of its own.
    InProcess,

    /// In a child process of the node (the Hub's <c>engine</c> mode), driven over a Unix domain socket (the default).
    Child,
}

/// Finds the Hub program that runs the engine and starts it: its own executable when there is one, else its
/// <c>.dll</c> through the <c>dotnet</c> host.
public static class EngineProgram
{
    private const string Name = "Loki.Learning.Hub";

    /// The program to start, or null when there is none: <paramref name="configured"/> when it exists, else the
    /// Hub built or published next to the node.
    public static string? Find(string? configured)
    {
        if (configured is { Length: > 0 })
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }
        var executable = Path.Combine(AppContext.BaseDirectory, Name);
        if (File.Exists(executable))
        {
            return executable;
        }
        var library = Path.Combine(AppContext.BaseDirectory, Name + ".dll");
        return File.Exists(library) ? library : null;
    }

    /// How to start <paramref name="program"/> with <paramref name="arguments"/>, its output read by the node.
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        if (program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = DotnetHost();
            start.ArgumentList.Add(program);
        }
        else
        {
            start.FileName = program;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// The host that runs this node (when it runs as <c>dotnet Loki.Learning.Web.dll</c>), else the one the SDK names,
    /// else <c>dotnet</c> on the PATH.
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
