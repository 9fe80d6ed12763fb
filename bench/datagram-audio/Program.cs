using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Loki.Learning.Bench.DatagramAudio;
using Loki.Learning.Hub.LinkSimulation;
using Microsoft.Extensions.FileProviders;

// The datagram-audio spike (docs/decisions/0011): the same audio-sized blocks from headless Chromium over a WebRTC
// data channel through Janus and over a WebSocket, each through the same seeded link profile, side by side.
// Usage: DatagramAudioBench --repo DIR [--seconds 15] [--seed 1] [--profiles clean-lan,1-loss,...] [--block 520]
//        [--redundancy 1,2] (the data-channel phases: blocks a message) [--results FILE]
var options = Options.Parse(args);
var output = Console.Out;
var culture = CultureInfo.InvariantCulture;

using var janus = await BenchJanus.StartAsync(options.Repository, output);

var phases = new List<Phase>();
foreach (var profile in options.Profiles)
{
    // Own blocks only (520 bytes a message, as the WebSocket), then each message with the previous block as well.
    foreach (var redundancy in options.Redundancies)
    {
        phases.Add(new Phase(phases.Count, "dc", profile, options.Seed, options.Seconds, redundancy));
    }
    phases.Add(new Phase(phases.Count, "ws", profile, options.Seed, options.Seconds, redundancy: 1));
}
Phase? current = null;
var relays = new List<UdpRelayPair>();
var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

// The "engine": what rtp_forward hands it, it records and sends straight to the Streaming mountpoint's data port.
using var engine = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
engine.Bind(new IPEndPoint(IPAddress.Loopback, 0));
var mountpointPort = FreeUdpPort();
var mountpoint = new IPEndPoint(IPAddress.Loopback, mountpointPort);
var engineThread = new Thread(() =>
{
    var buffer = new byte[65_536];
    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
    while (true)
    {
        int length;
        try
        {
            length = engine.ReceiveFrom(buffer, ref from);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return;
        }
        var at = EpochMs();
        Volatile.Read(ref current)?.ServerReceived(buffer.AsSpan(0, length), options.BlockBytes, at);
        engine.SendTo(buffer.AsSpan(0, length), SocketFlags.None, mountpoint);
    }
}) { IsBackground = true, Name = "engine" };
engineThread.Start();

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
builder.Logging.ClearProviders();
var app = builder.Build();
app.UseWebSockets();
var pages = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });

app.MapGet("/plan", () => Results.Json(new
{
    setup = new { room = 4242, mountpoint = 4343, mountpointPort, engineIn = ((IPEndPoint)engine.LocalEndPoint!).Port },
    phases = phases.Select(p => new { id = p.Id, path = p.Path, seconds = p.Seconds, count = p.Count, redundancy = p.Redundancy, url = p.Url }),
}));
app.MapPost("/relay", () =>
{
    lock (relays)
    {
        var relay = new UdpRelayPair(relays.Count);
        relays.Add(relay);
        return Results.Json(new { id = relay.Id, browserFacing = relay.BrowserFacing, janusFacing = relay.JanusFacing });
    }
});
app.MapPost("/relay/{id:int}/janus", (int id, int port) =>
{
    lock (relays)
    {
        relays[id].SetJanusPort(port);
    }
    return Results.Ok();
});
app.MapPost("/phase/{id:int}/begin", (int id) =>
{
    var phase = phases[id];
    phase.LoadAtStart = File.ReadAllText("/proc/loadavg").Trim();
    lock (relays)
    {
        foreach (var relay in relays)
        {
            // The data-channel relays carry the phase's link; during a WebSocket phase they idle on a clean LAN.
            var profile = phase.Path == "dc" ? phase.Profile : ImpairmentProfile.CleanLan;
            relay.Impair(profile, phase.Seed + 1000 * relay.Id);
        }
    }
    Volatile.Write(ref current, phase);
    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} begin {phase} (load {phase.LoadAtStart})");
    return Results.Ok();
});
app.MapPost("/phase/{id:int}/page", async (int id, HttpRequest request) =>
{
    var phase = phases[id];
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    phase.PageReported(body.ToArray());
    phase.LoadAtEnd = File.ReadAllText("/proc/loadavg").Trim();
    lock (relays)
    {
        phase.Transport = phase.Path == "dc"
            ? string.Join("; ", relays.Select(r => $"relay {r.Id} up: {r.Up}, down: {r.Down}"))
            : $"TCP up: {phase.TcpProxy!.Upstream}; down: {phase.TcpProxy!.Downstream}";
    }
    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} end {phase} (load {phase.LoadAtEnd}); {phase.Transport}");
    return Results.Ok();
});
app.MapPost("/log", async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} page: {await reader.ReadToEndAsync()}");
    return Results.Ok();
});
app.MapPost("/done", (bool? failed) =>
{
    done.TrySetResult(failed != true);
    return Results.Ok();
});
app.Map("/echo", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    // Both ends of the product's socket set TCP_NODELAY (docs/benchmarks.md §3.2); Kestrel does by default.
    var buffer = new byte[65_536];
    while (socket.State == WebSocketState.Open)
    {
        var filled = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(filled), context.RequestAborted);
            filled += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return;
        }
        Volatile.Read(ref current)?.ServerReceived(buffer.AsSpan(0, filled), options.BlockBytes, EpochMs());
        await socket.SendAsync(buffer.AsMemory(0, filled), WebSocketMessageType.Binary, true, context.RequestAborted);
    }
});

await app.StartAsync();
var site = new Uri(app.Urls.First());
foreach (var phase in phases.Where(p => p.Path == "ws"))
{
    phase.TcpProxy = TcpImpairmentProxy.Start(new IPEndPoint(IPAddress.Loopback, site.Port), phase.Profile, phase.Seed);
    phase.Url = $"ws://127.0.0.1:{phase.TcpProxy.EndPoint.Port}/echo";
}
output.WriteLine($"bench host {site}, engine UDP {engine.LocalEndPoint}, mountpoint data port {mountpointPort}");

var profileFolder = Directory.CreateTempSubdirectory("loki-dgram-chromium-").FullName;
var chromium = new ProcessStartInfo(options.Chromium)
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
};
foreach (var argument in new[]
{
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--allow-loopback-in-peer-connection",
    // Host candidates as addresses, not mDNS names: Janus ignores .local candidates (ignore_mdns) and the page
    // rewrites the loopback candidate to the relay.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    $"--user-data-dir={profileFolder}",
    $"http://127.0.0.1:{site.Port}/index.html?janus={Uri.EscapeDataString($"ws://127.0.0.1:{janus.WebSocketPort}/")}&block={options.BlockBytes}",
})
{
    chromium.ArgumentList.Add(argument);
}
using var browser = Process.Start(chromium) ?? throw new InvalidOperationException("chromium did not start");
_ = browser.StandardOutput.ReadToEndAsync();
_ = browser.StandardError.ReadToEndAsync();
output.WriteLine($"chromium {browser.Id}");

var limit = TimeSpan.FromSeconds(60 + phases.Count * (options.Seconds + 15));
var finished = await Task.WhenAny(done.Task, Task.Delay(limit)) == done.Task && done.Task.Result;
browser.Kill(entireProcessTree: true);
await browser.WaitForExitAsync();
await app.StopAsync();
foreach (var phase in phases)
{
    if (phase.TcpProxy is { } proxy)
    {
        await proxy.DisposeAsync();
    }
}
lock (relays)
{
    foreach (var relay in relays)
    {
        relay.Dispose();
    }
}
engine.Dispose();
try
{
    Directory.Delete(profileFolder, recursive: true);
}
catch (IOException)
{
    // Chromium still flushing its profile: the temporary folder goes with the machine's next cleanup.
}
if (!finished)
{
    janus.KeepFolder = true;
    output.WriteLine($"the page did not finish (see the page: lines above; Janus log {janus.LogFile})");
    return 1;
}

var report = Report.Write(phases, options);
output.WriteLine(report);
if (options.ResultsFile is { } file)
{
    File.WriteAllText(file, report);
    output.WriteLine($"written to {file}");
}
return 0;

static double EpochMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

static int FreeUdpPort()
{
    using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)probe.LocalEndPoint!).Port;
}

/// <summary>The command line.</summary>
internal sealed record Options(string Repository, int Seconds, int Seed, IReadOnlyList<ImpairmentProfile> Profiles, int BlockBytes, string Chromium, string? ResultsFile,
    IReadOnlyList<int> Redundancies)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        var profiles = (values.GetValueOrDefault("profiles") ?? "clean-lan,1-loss,5-ms-jitter-1-loss")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(name => ImpairmentProfile.Find(name) ?? throw new ArgumentException($"unknown profile {name}; known: {string.Join(", ", ImpairmentProfile.All.Select(p => p.Key))}"))
            .ToList();
        return new Options(
            values.GetValueOrDefault("repo") ?? throw new ArgumentException("--repo DIR (the repository, for the loopback shim's source)"),
            int.Parse(values.GetValueOrDefault("seconds") ?? "15", CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
            profiles,
            int.Parse(values.GetValueOrDefault("block") ?? "520", CultureInfo.InvariantCulture),
            values.GetValueOrDefault("chromium") ?? "/usr/bin/chromium",
            values.GetValueOrDefault("results"),
            (values.GetValueOrDefault("redundancy") ?? "1,2").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture) is var n && n is 1 or 2
                ? n : throw new ArgumentException("--redundancy takes 1 and/or 2")).ToList());
    }
}

/// <summary>The markdown the run prints and stores.</summary>
internal static class Report
{
    public static string Write(List<Phase> phases, Options options)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"# Browser audio: data channel through Janus against WebSocket, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(c, $"{options.Seconds} s per phase (first second not counted), {options.BlockBytes}-byte blocks every 2.667 ms, seed {options.Seed}; machine: {Environment.ProcessorCount} cores.");
        text.AppendLine();
        text.AppendLine("| profile | path | blocks | up lost | up one-way p50 / p95 / p99 / max | up missed at 4 / 5 periods | round trip p50 / p95 / p99 / max | round trip lost | round trip missed at 8 / 10 periods | down one-way p50 / p99 | sender late p50 / p99 | buffered in the page p50 / p99 / max | load average (start → end) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var phase in phases)
        {
            foreach (var withRedundancy in phase.Redundancy == 2 ? new[] { false, true } : [false])
            {
                var f = phase.Figures(withRedundancy);
                var path = phase.Path == "ws" ? "WebSocket (TCP model)"
                    : phase.Redundancy == 1 ? "data channel, 1 block a message"
                    : withRedundancy ? "data channel, 2 blocks a message, either copy" : "data channel, 2 blocks a message, own copy only";
                text.AppendLine(c, $"| {phase.Profile.Name} | {path} | {f.Sent:N0} | {Share(f.UpLost, f.Sent)} | {Ms(f.Up, 50)} / {Ms(f.Up, 95)} / {Ms(f.Up, 99)} / {Ms(f.Up, 100)} ms | {f.MissedShare(f.Up, f.UpLost, 4 * Phase.PeriodMs):0.000}% / {f.MissedShare(f.Up, f.UpLost, 5 * Phase.PeriodMs):0.000}% | {Ms(f.RoundTrips, 50)} / {Ms(f.RoundTrips, 95)} / {Ms(f.RoundTrips, 99)} / {Ms(f.RoundTrips, 100)} ms | {Share(f.RoundTripLost, f.Sent)} | {f.MissedShare(f.RoundTrips, f.RoundTripLost, 8 * Phase.PeriodMs):0.000}% / {f.MissedShare(f.RoundTrips, f.RoundTripLost, 10 * Phase.PeriodMs):0.000}% | {Ms(f.Down, 50)} / {Ms(f.Down, 99)} ms | {Ms(f.SenderLate, 50)} / {Ms(f.SenderLate, 99)} ms | {Bytes(f.Buffered, 50)} / {Bytes(f.Buffered, 99)} / {Bytes(f.Buffered, 100)} B | {Load(phase.LoadAtStart)} → {Load(phase.LoadAtEnd)} |");
            }
        }
        text.AppendLine();
        text.AppendLine("Link counters per phase:");
        text.AppendLine();
        foreach (var phase in phases)
        {
            text.AppendLine(c, $"- {phase}: {phase.Transport}");
        }
        return text.ToString();
    }

    private static string Ms(List<double> values, double percentile) =>
        PhaseFigures.Percentile(values, percentile).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Bytes(List<double> values, double percentile) =>
        PhaseFigures.Percentile(values, percentile).ToString("0", CultureInfo.InvariantCulture);

    private static string Share(int part, int whole) =>
        whole == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{part} ({100.0 * part / whole:0.00}%)");

    private static string Load(string loadavg) => string.Join(' ', loadavg.Split(' ').Take(3));
}
