using System.Diagnostics;

namespace Loki.Learning.Web.Tests.Video;

/// The settings every test (and the e2e suite) gives a node whose Janus it starts: <c>Video:LoopbackOnly</c> with the
/// shim compiled from <c>loopback-only.c</c> beside this file, so pictures travel over 127.0.0.0/8 and never over the
/// machine's other addresses (docs/decisions/0009). Compiled once per test process with the machine's C compiler
/// (test.sh installs gcc).
public static class LoopbackOnlyVideo
{
    private static readonly Lazy<string> Shim = new(Compile, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <c>Video:LoopbackOnly</c> and <c>Video:LoopbackOnlyShim</c>.
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Video:LoopbackOnly"] = "true",
        ["Video:LoopbackOnlyShim"] = Shim.Value,
    };

    /// The compiled shim's path.
    public static string ShimPath => Shim.Value;

    private static string Compile()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Video", "loopback-only.c");
        var folder = Directory.CreateTempSubdirectory("loki-loopback-only-").FullName;
        var library = Path.Combine(folder, "libloopback-only.so");
        var compile = new ProcessStartInfo("gcc")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", library, source, "-ldl" })
        {
            compile.ArgumentList.Add(argument);
        }
        using var gcc = Process.Start(compile) ?? throw new InvalidOperationException("gcc did not start (apt-get install gcc libc6-dev)");
        var errors = gcc.StandardError.ReadToEndAsync();
        gcc.StandardOutput.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0 || !File.Exists(library))
        {
            throw new InvalidOperationException($"gcc could not compile {source}: {errors.Result}");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A Janus still holding it open; the temporary folder goes with the machine's next cleanup.
            }
        };
        return library;
    }
}
