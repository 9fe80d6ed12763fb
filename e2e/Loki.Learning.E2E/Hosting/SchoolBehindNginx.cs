using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Loki.Learning.Web.Hosting;

namespace Loki.Learning.E2E.Hosting;

/// The platform as a school installs it on the internet or a LAN: Debian's nginx in front with the project's own
/// deploy/nginx/loki.conf (HTTPS with a certificate from the platform's `certificate` command for school.test), the
/// node behind it on plain HTTP trusting forwarded headers from 127.0.0.1 only. nginx runs as a child process (not a
/// daemon) on a free loopback port; browsers reach https://school.test:PORT mapped to 127.0.0.1.
public sealed class SchoolBehindNginx : IAsyncLifetime
{
    public const string NginxPath = "/usr/sbin/nginx";
    public const string Host = "school.test";

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-nginx-").FullName;
    private readonly StringBuilder _nginxOutput = new();
    private Process? _nginx;
    private string _spki = "";

    public int Port { get; } = FreePort();

    public LokiApp App { get; private set; } = default!;

    public Uri BaseAddress => new($"https://{Host}:{Port}/");

    /// Chromium resolves school.test to 127.0.0.1 and accepts the school's certificate as a computer with the school's
    /// authority installed does (a page served so is a secure context).
    public IReadOnlyList<string> ChromiumArgs => [$"--host-resolver-rules=MAP {Host} 127.0.0.1", $"--ignore-certificate-errors-spki-list={_spki}"];

    public async Task InitializeAsync()
    {
        if (!File.Exists(NginxPath))
        {
            throw new InvalidOperationException($"{NginxPath} is missing; test.sh installs the Debian nginx package.");
        }
        var issued = LocalCertificates.Issue(Path.Combine(_folder, "tls"), [Host], DateTimeOffset.UtcNow);
        _spki = Convert.ToBase64String(SHA256.HashData(issued.Server.PublicKey.ExportSubjectPublicKeyInfo()));

        App = new LokiApp
        {
            Settings = new Dictionary<string, string?>
            {
                ["Proxy:KnownProxies"] = "127.0.0.1",
                ["Site:PublicUrl"] = BaseAddress.ToString(),
            },
        };
        await App.InitializeAsync();

        await File.WriteAllTextAsync(Path.Combine(_folder, "loki.conf"), RenderSite(issued));
        await File.WriteAllTextAsync(Path.Combine(_folder, "nginx.conf"), $$"""
            daemon off;
            worker_processes 1;
            pid {{_folder}}/nginx.pid;
            error_log {{_folder}}/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{_folder}}/client_body;
                proxy_temp_path {{_folder}}/proxy;
                fastcgi_temp_path {{_folder}}/fastcgi;
                uwsgi_temp_path {{_folder}}/uwsgi;
                scgi_temp_path {{_folder}}/scgi;
                include {{_folder}}/loki.conf;
            }
            """);
        var start = new ProcessStartInfo(NginxPath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", _folder + "/", "-c", Path.Combine(_folder, "nginx.conf"), "-e", Path.Combine(_folder, "error.log") })
        {
            start.ArgumentList.Add(arg);
        }
        _nginx = Process.Start(start)!;
        _nginx.OutputDataReceived += (_, e) => Note(e.Data);
        _nginx.ErrorDataReceived += (_, e) => Note(e.Data);
        _nginx.BeginOutputReadLine();
        _nginx.BeginErrorReadLine();
        await WaitListeningAsync(TimeSpan.FromSeconds(30));
    }

    /// The shipped file with only what a test machine must differ in: the node's port, the certificate files, loopback
    /// listening addresses and the school's name. Each change must find its place exactly, so an edit of the shipped file
    /// that this test would no longer cover fails here.
    private string RenderSite(LocalCertificates.Issued issued)
    {
        var site = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", "nginx", "loki.conf"));
        var plainPort = FreePort();
        (string From, string To, int Times)[] changes =
        [
            ("server 127.0.0.1:5080;", $"server 127.0.0.1:{App.BaseAddress.Port};", 1),
            ("/etc/loki/tls/loki.crt", issued.ServerPath, 1),
            ("/etc/loki/tls/loki.key", issued.ServerKeyPath, 1),
            ("listen 443 ssl;", $"listen 127.0.0.1:{Port} ssl;", 1),
            ("listen 443 ssl default_server;", $"listen 127.0.0.1:{Port} ssl default_server;", 1),
            ("listen 80;", $"listen 127.0.0.1:{plainPort};", 1),
            ("listen 80 default_server;", $"listen 127.0.0.1:{plainPort} default_server;", 1),
            ("listen [::]:443 ssl;", "", 1),
            ("listen [::]:443 ssl default_server;", "", 1),
            ("listen [::]:80;", "", 1),
            ("listen [::]:80 default_server;", "", 1),
            ("server_name loki.kulturskola.se;", $"server_name {Host};", 2),
        ];
        foreach (var (from, to, times) in changes)
        {
            var found = (site.Length - site.Replace(from, "", StringComparison.Ordinal).Length) / from.Length;
            if (found != times)
            {
                throw new InvalidOperationException($"deploy/nginx/loki.conf: expected '{from}' {times} time(s), found {found}.");
            }
            site = site.Replace(from, to, StringComparison.Ordinal);
        }
        return site;
    }

    private void Note(string? line)
    {
        if (line is not null)
        {
            lock (_nginxOutput)
            {
                _nginxOutput.AppendLine(line);
            }
        }
    }

    /// nginx's own words: its output and error log, for failure messages.
    public string NginxLog
    {
        get
        {
            var log = Path.Combine(_folder, "error.log");
            lock (_nginxOutput)
            {
                return _nginxOutput + (File.Exists(log) ? File.ReadAllText(log) : "");
            }
        }
    }

    private async Task WaitListeningAsync(TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_nginx!.HasExited)
            {
                throw new InvalidOperationException($"nginx exited ({_nginx.ExitCode}): {NginxLog}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < patience)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }
        _nginx?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
