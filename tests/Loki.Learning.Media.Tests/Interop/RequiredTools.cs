namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Finds the real peers' programs. A missing program fails the test with the package to install,
/// never skips it: test.sh installs them with apt-get on a fresh machine.
/// </summary>
public static class RequiredTools
{
    private static readonly Dictionary<string, string> PackageOf = new()
    {
        ["jacktrip-cli"] = "jacktrip",
        ["jackd"] = "jackd2",
        ["jack_iodelay"] = "jackd2",
        ["jack_connect"] = "jackd2",
        ["jack_lsp"] = "jackd2",
        ["jack_rec"] = "jackd2",
        ["jack_metro"] = "jackd2",
        ["setsid"] = "util-linux",
        ["stdbuf"] = "coreutils",
    };

    public static string Find(string tool)
    {
        if (Path.IsPathRooted(tool) && File.Exists(tool))
        {
            return tool;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        var package = PackageOf.GetValueOrDefault(tool, tool);
        throw new InvalidOperationException(
            $"'{tool}' is not installed. The interop tests need the real JackTrip peers: apt-get install -y --no-install-recommends {package} (test.sh does this).");
    }
}
