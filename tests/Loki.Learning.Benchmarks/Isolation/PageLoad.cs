using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Loki.Learning.Benchmarks.Isolation;

/// What `page-load` is to do: who signs in and what exists to work on (written by the node).
internal sealed record PagePlan(string[] Logins, string Password, string OrganizerLogin, Guid EventId, Guid RecordingId, string ScoreFile);

/// `page-load BASE-URL PLAN-FILE`: signed-in page users in a process of their own. Every user signs in through the
/// login form, holds a Blazor circuit on a page (<see cref="BlazorCircuit"/>) and, every 2–4 s, does one thing: an API
/// call (60%), a page load (30%) or a move to another page with a new circuit (10%). The organizer also uploads a
/// score and exports the room's recording (a zip of its WAVs), alternately every 5 s. Says "ready" once everyone is
/// signed in with a circuit, then answers the node's "mark" / "report" / "stop".
internal static partial class PageLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = new Uri(args[0]);
        var plan = JsonSerializer.Deserialize<PagePlan>(await File.ReadAllTextAsync(args[1]))!;
        var counters = new PageLoadCounters();
        using var stop = new CancellationTokenSource();
        var started = Stopwatch.StartNew();
        var users = plan.Logins.Select((login, i) => new PageUser(server, login, plan, counters, seed: i)).ToList();
        var signedIn = 0;
        foreach (var batch in users.Chunk(10))
        {
            foreach (var ok in await Task.WhenAll(batch.Select(u => u.SignInAsync(stop.Token))))
            {
                signedIn += ok ? 1 : 0;
            }
        }
        var working = users.Where(u => u.SignedIn).Select(u => Task.Run(() => u.WorkAsync(stop.Token))).ToList();
        // Ready once every signed-in user holds a circuit (or has tried for 60 s).
        var until = Stopwatch.StartNew();
        while (counters.Circuits < signedIn && until.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ready {signedIn} of {users.Count} users signed in, {counters.Circuits} circuits, in {started.Elapsed.TotalSeconds:F1} s{(counters.LastFailure is { } f ? "; last failure: " + f : "")}"));

        var since = Stopwatch.StartNew();
        var cpuAtMark = TimeSpan.Zero;
        await NodeCommands.RunAsync(
            () =>
            {
                counters.Reset();
                cpuAtMark = Process.GetCurrentProcess().TotalProcessorTime;
                since.Restart();
            },
            () =>
            {
                var seconds = since.Elapsed.TotalSeconds;
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtMark).TotalSeconds / seconds;
                return string.Create(CultureInfo.InvariantCulture,
                    $"users {signedIn}, circuits {counters.Circuits}; per second: {counters.ApiCalls / seconds:F1} API calls, {counters.Pages / seconds:F1} pages, " +
                    $"{counters.RenderBatches / seconds:F1} render batches ({counters.RenderBytes / seconds / 1024:F0} kB/s); {counters.Uploads} score uploads, " +
                    $"{counters.Exports} recording exports ({counters.ExportBytes / 1e6:F1} MB); {counters.Failures} failures, {counters.CircuitErrors} circuit errors" +
                    $"{(counters.LastFailure is { } f ? " (last: " + f + ")" : "")}; client CPU {cpu:F2} cores");
            },
            stop.Token);
        await stop.CancelAsync();
        await Task.WhenAll(working).WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var user in users)
        {
            await user.DisposeAsync();
        }
        return 0;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private sealed class PageUser : IAsyncDisposable
    {
        private readonly CookieContainer _cookies = new();
        private readonly HttpClient _http;
        private readonly string _login;
        private readonly PagePlan _plan;
        private readonly PageLoadCounters _counters;
        private readonly Random _random;
        private readonly bool _organizer;
        private readonly string[] _pages;
        private readonly string[] _api;
        private BlazorCircuit? _circuit;

        public PageUser(Uri server, string login, PagePlan plan, PageLoadCounters counters, int seed)
        {
            _http = new HttpClient(new SocketsHttpHandler { CookieContainer = _cookies, UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = server };
            _login = login;
            _plan = plan;
            _counters = counters;
            _random = new Random(seed);
            _organizer = login == plan.OrganizerLogin;
            var eventId = plan.EventId;
            _pages = _organizer
                ? ["/", "/events", $"/events/{eventId}", $"/events/{eventId}/attendees", $"/recordings/{plan.RecordingId}", "/schedule"]
                : ["/", "/events", $"/events/{eventId}", "/workshops", "/schedule", "/courses", "/ensembles"];
            _api = ["/api/events", $"/api/events/{eventId}", "/api/courses", "/api/rooms", "/api/ensembles"];
        }

        public bool SignedIn { get; private set; }

        public async Task<bool> SignInAsync(CancellationToken cancellationToken)
        {
            try
            {
                var html = await _http.GetStringAsync("account/login", cancellationToken);
                var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups["token"].Value);
                using var response = await _http.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["_handler"] = "login",
                    ["__RequestVerificationToken"] = token,
                    ["Input.Login"] = _login,
                    ["Input.Password"] = _plan.Password,
                }), cancellationToken);
                SignedIn = response.StatusCode == HttpStatusCode.Redirect && _cookies.GetAllCookies().Any(c => c.Name == "loki.auth");
                if (!SignedIn)
                {
                    Fail($"sign-in of {_login}: {(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException exception)
            {
                Fail($"sign-in of {_login}: {exception.Message}");
            }
            return SignedIn;
        }

        public async Task WorkAsync(CancellationToken cancellationToken)
        {
            var nextOrganizerTask = Stopwatch.StartNew();
            var upload = true;
            try
            {
                await MoveAsync(cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(2000 + _random.Next(2000)), cancellationToken);
                    try
                    {
                        if (_organizer && nextOrganizerTask.Elapsed >= TimeSpan.FromSeconds(5))
                        {
                            nextOrganizerTask.Restart();
                            await (upload ? UploadScoreAsync(cancellationToken) : ExportRecordingAsync(cancellationToken));
                            upload = !upload;
                            continue;
                        }
                        var dice = _random.Next(10);
                        if (dice < 6)
                        {
                            using var response = await _http.GetAsync(_api[_random.Next(_api.Length)], cancellationToken);
                            if (await OkAsync(response, cancellationToken))
                            {
                                Interlocked.Increment(ref _counters.ApiCalls);
                            }
                        }
                        else if (dice < 9 || _circuit is null)
                        {
                            using var response = await _http.GetAsync(_pages[_random.Next(_pages.Length)], cancellationToken);
                            if (await OkAsync(response, cancellationToken))
                            {
                                Interlocked.Increment(ref _counters.Pages);
                            }
                        }
                        else
                        {
                            await MoveAsync(cancellationToken);
                        }
                    }
                    catch (HttpRequestException exception)
                    {
                        Fail(exception.Message);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_circuit is not null)
            {
                await _circuit.DisposeAsync();
            }
            _http.Dispose();
        }

        /// Leaves the current page (its circuit ends) and opens another one, as a click on a full-page link does.
        private async Task MoveAsync(CancellationToken cancellationToken)
        {
            if (_circuit is not null)
            {
                await _circuit.DisposeAsync();
                _circuit = null;
            }
            try
            {
                _circuit = await BlazorCircuit.OpenAsync(_http, _cookies, _pages[_random.Next(_pages.Length)], _counters, cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or InvalidOperationException or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.SignalR.HubException)
            {
                Fail($"circuit: {exception.GetType().Name}: {exception.Message}");
            }
        }

        private async Task UploadScoreAsync(CancellationToken cancellationToken)
        {
            using var content = new MultipartFormDataContent();
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(_plan.ScoreFile, cancellationToken));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.recordare.musicxml+xml");
            content.Add(file, "file", Path.GetFileName(_plan.ScoreFile));
            content.Add(new StringContent("Bench score"), "title");
            using var response = await _http.PostAsync($"/api/scores?ownerId={_plan.EventId}", content, cancellationToken);
            if (await OkAsync(response, cancellationToken))
            {
                Interlocked.Increment(ref _counters.Uploads);
            }
        }

        private async Task ExportRecordingAsync(CancellationToken cancellationToken)
        {
            using var response = await _http.GetAsync($"/api/recordings/{_plan.RecordingId}/export", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[65536];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                }
                Interlocked.Add(ref _counters.ExportBytes, total);
            }
            if (await OkAsync(response, cancellationToken))
            {
                Interlocked.Increment(ref _counters.Exports);
            }
        }

        private async Task<bool> OkAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if ((int)response.StatusCode is >= 200 and < 400)
            {
                return true;
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body[..Math.Min(120, body.Length)]}");
            return false;
        }

        private void Fail(string what)
        {
            Interlocked.Increment(ref _counters.Failures);
            _counters.LastFailure = what.ReplaceLineEndings(" ");
        }
    }
}
