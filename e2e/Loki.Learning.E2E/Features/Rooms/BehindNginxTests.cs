using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// A teacher and a pupil rehearse at https://school.test through nginx with the project's own configuration: the pages,
/// Blazor's socket, the browser audio sockets (wss://) and the beat clock all pass the proxy, and each hears the other.
[Collection(BrowserCollection.Name)]
public sealed class BehindNginxTests(SchoolBehindNginx school) : IClassFixture<SchoolBehindNginx>, IAsyncLifetime
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const double TeacherTone = 440;
    private const double PupilTone = 660;
    private const double Hears = 0.02;

    private ToneBrowsers? _tones;

    public async Task InitializeAsync() => _tones = await ToneBrowsers.StartAsync();

    public async Task DisposeAsync()
    {
        if (_tones is not null)
        {
            await _tones.DisposeAsync();
        }
    }

    private static Task<double> HeardAsync(IPage page, double frequency) =>
        page.EvaluateAsync<double>("f => window.loki.audio.recentOutputLevel(f)", frequency);

    /// An HTTPS request to the proxy's port that names serverName in TLS and host in its Host header.
    private async Task<HttpStatusCode> AskAsync(string serverName, string host)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, school.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions { TargetHost = serverName, RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{serverName}:{school.Port}/info");
        request.Headers.Host = $"{host}:{school.Port}";
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task TheProxyRefusesRequestsThatNameAnotherHost()
    {
        Assert.Equal(HttpStatusCode.OK, await AskAsync(SchoolBehindNginx.Host, SchoolBehindNginx.Host));
        // Another name in TLS: no handshake. The school's name in TLS but another in Host: the connection is closed.
        await Assert.ThrowsAsync<HttpRequestException>(() => AskAsync("evil.example", "evil.example"));
        await Assert.ThrowsAsync<HttpRequestException>(() => AskAsync(SchoolBehindNginx.Host, "evil.example"));
    }

    [Fact]
    public async Task TeacherAndPupilOnHttpsThroughNginxConnectAudioAndHearEachOther()
    {
        var teacher = await _tones!.PersonWithToneAsync(school.BaseAddress, TeacherTone, DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher), school.ChromiumArgs);
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await _tones.PersonWithToneAsync(school.BaseAddress, PupilTone, DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil), school.ChromiumArgs);
        Assert.StartsWith($"https://{SchoolBehindNginx.Host}:{school.Port}/", teacher.Url, StringComparison.Ordinal);
        Assert.True(await teacher.EvaluateAsync<bool>("() => window.isSecureContext"), "a page at the school's https address is a secure context");
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await Expect(teacher.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await ToneBrowsers.EnterRoomAsync(teacher, roomPath);
        // Nothing stands in the way of audio here.
        await Expect(teacher.Locator(".audio-readiness")).ToHaveCountAsync(0);
        await ToneBrowsers.ConnectAudioAsync(teacher);

        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await ToneBrowsers.ConnectAudioAsync(pupil);

        await ToneBrowsers.WaitUntilAsync(async () => await HeardAsync(teacher, PupilTone) > Hears,
            async () => $"the teacher hears the pupil's {PupilTone} Hz through nginx (level {await HeardAsync(teacher, PupilTone):F3}); nginx: {school.NginxLog}");
        await ToneBrowsers.WaitUntilAsync(async () => await HeardAsync(pupil, TeacherTone) > Hears,
            async () => $"the pupil hears the teacher's {TeacherTone} Hz through nginx (level {await HeardAsync(pupil, TeacherTone):F3}); nginx: {school.NginxLog}");
        Console.WriteLine($"LEVELS through nginx: teacher hears {PupilTone} Hz at {await HeardAsync(teacher, PupilTone):F3}, pupil hears {TeacherTone} Hz at {await HeardAsync(pupil, TeacherTone):F3}");

        // The beat clock's socket passes the proxy too: both pages have measured the server clock through it.
        foreach (var page in new[] { teacher, pupil })
        {
            await ToneBrowsers.WaitUntilAsync(async () => await page.EvaluateAsync<double>("() => window.loki.metronome.clock().samples") >= 10,
                async () => $"the beat clock measured through nginx: {await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.metronome.clock())")}");
        }
    }
}
