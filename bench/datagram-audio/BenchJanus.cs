using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Loki.Learning.Bench.DatagramAudio;

/// <summary>
/// A Janus of the bench's own, on 127.0.0.1 only, with the two plugins the datagram path needs: VideoRoom (the
/// browser publishes a data channel, <c>rtp_forward</c> with <c>data_port</c> hands each message to a UDP port) and
/// Streaming (a <c>data</c> mountpoint relays each UDP datagram to its watchers' data channels). Not the product's
/// configuration (Features/Video/JanusConfiguration.cs, which loads VideoRoom only): that stays as it is. Loopback
/// is kept the way the tests keep it: <c>ice_enforce_list = 127.0.0.1</c> with the LD_PRELOAD shim of
/// tests/Loki.Learning.Web.Tests/Video/loopback-only.c (docs/decisions/0009).
/// </summary>
public sealed class BenchJanus : IDisposable
{
    private static readonly Lock LogLock = new();

    private readonly Process _process;
    private readonly string _folder;

    private BenchJanus(Process process, string folder, int webSocketPort)
    {
        _process = process;
        _folder = folder;
        WebSocketPort = webSocketPort;
    }

    public int WebSocketPort { get; }

    public static async Task<BenchJanus> StartAsync(string repository, TextWriter log)
    {
        var folder = Directory.CreateTempSubdirectory("loki-dgram-janus-").FullName;
        var shim = CompileShim(repository, folder);
        var webSocketPort = FreeTcpPort();
        // A port range of its own, away from other engineers' Janus instances on this machine.
        var rtpBase = 40_000 + Random.Shared.Next(0, 100) * 200;
        const string library = "/usr/lib/x86_64-linux-gnu/janus";
        File.WriteAllText(Path.Combine(folder, "janus.jcfg"), string.Create(CultureInfo.InvariantCulture, $$"""
            general: {
                configs_folder = "{{folder}}"
                plugins_folder = "{{library}}/plugins"
                transports_folder = "{{library}}/transports"
                events_folder = "{{library}}/events"
                loggers_folder = "{{library}}/loggers"
                debug_level = 4
                server_name = "loki-dgram-bench"
                session_timeout = 60
                hide_dependencies = true
                interface = "127.0.0.1"
            }
            media: {
                rtp_port_range = "{{rtpBase}}-{{rtpBase + 199}}"
            }
            nat: {
                ignore_mdns = true
                ice_enforce_list = "127.0.0.1"
            }
            plugins: {
                disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
            }
            transports: {
                disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
            }
            loggers: {
                disable = "libjanus_jsonlog.so"
            }
            events: {
                broadcast = false
                disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_sampleevh.so,libjanus_wsevh.so"
            }

            """));
        File.WriteAllText(Path.Combine(folder, "janus.plugin.videoroom.jcfg"), "general: {\n}\n");
        File.WriteAllText(Path.Combine(folder, "janus.plugin.streaming.jcfg"), "general: {\n}\n");
        File.WriteAllText(Path.Combine(folder, "janus.transport.websockets.jcfg"), string.Create(CultureInfo.InvariantCulture, $$"""
            general: {
                json = "compact"
                ws = true
                ws_port = {{webSocketPort}}
                ws_ip = "127.0.0.1"
                wss = false
            }
            admin: {
                admin_ws = false
                admin_wss = false
            }

            """));

        var start = new ProcessStartInfo("janus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LD_PRELOAD"] = shim;
        foreach (var argument in new[] { "-F", folder, "-C", Path.Combine(folder, "janus.jcfg"), "-o" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("janus did not start");
        var logFile = Path.Combine(folder, "janus.log");
        _ = Pump(process.StandardOutput, logFile);
        _ = Pump(process.StandardError, logFile);
        var janus = new BenchJanus(process, folder, webSocketPort);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await Accepts(webSocketPort))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                janus.KeepFolder = true;
                janus.Dispose();
                throw new InvalidOperationException($"janus did not open its WebSocket port; see {logFile}");
            }
            await Task.Delay(100);
        }
        log.WriteLine($"janus {process.Id} on ws://127.0.0.1:{webSocketPort}/, media ports {rtpBase}-{rtpBase + 199}, log {logFile}");
        return janus;
    }

    public string LogFile => Path.Combine(_folder, "janus.log");

    /// <summary>Keep the configuration folder and Janus' log after the run (a run that failed wants them read).</summary>
    public bool KeepFolder { get; set; }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        if (!KeepFolder)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Janus' log still being flushed: the temporary folder goes with the machine's next cleanup.
            }
        }
    }

    private static string CompileShim(string repository, string folder)
    {
        var source = Path.Combine(repository, "tests", "Loki.Learning.Web.Tests", "Video", "loopback-only.c");
        var library = Path.Combine(folder, "libloopback-only.so");
        var gcc = Process.Start("gcc", ["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", library, source, "-ldl"]);
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc could not compile {source}");
        }
        return library;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task Pump(StreamReader reader, string file)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (LogLock)
            {
                File.AppendAllText(file, line + "\n");
            }
        }
    }
}
