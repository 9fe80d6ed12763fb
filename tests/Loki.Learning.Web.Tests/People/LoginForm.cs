using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Loki.Learning.Web.Tests.People;

/// The login page's form as a browser posts it, and clients that connect from an address of their own on loopback
/// (127.0.0.0/8 is all local), so each test has its own rate limiting partition.
internal static partial class LoginForm
{
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string login, string password) =>
        PostFormAsync(client, "account/login", "login", new() { ["Input.Login"] = login, ["Input.Password"] = password });

    /// Posts a static page's form as a browser does: the antiforgery token from the page, the form's handler name and fields.
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string handler, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(page);
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups["token"].Value);
        Assert.NotEmpty(token);
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = token;
        return await client.PostAsync(page, new FormUrlEncodedContent(fields));
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
