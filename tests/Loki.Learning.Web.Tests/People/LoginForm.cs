using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Loki.Learning.Web.Tests.People;

/// The login page's form as a browser posts it, and clients that connect from an address of their own on loopback
/// (127.0.0.0/8 is all local), so each test has its own rate limiting partition.
internal static partial class LoginForm
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string login, string password)
    {
        var page = await client.GetStringAsync("account/login");
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups["token"].Value);
        Assert.NotEmpty(token);
        return await client.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Login"] = login,
            ["Input.Password"] = password,
        }));
    }

    /// A client of <paramref name="server"/> whose connections come from <paramref name="from"/> (e.g. 127.0.0.23).
    public static HttpClient ClientFrom(Uri server, IPAddress from, CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = server };

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
