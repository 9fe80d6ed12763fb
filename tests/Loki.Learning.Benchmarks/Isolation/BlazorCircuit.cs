using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Isolation;

/// An interactive server page held open the way blazor.web.js holds it, without a browser: the page is fetched
/// (prerendered on the server), its server component markers are read from the HTML, a SignalR connection to
/// `/_blazor` starts a circuit and adds them as root components, and every render batch the server sends is
/// acknowledged. JavaScript calls the server makes are answered with a null result (there is no DOM here). What the
/// node does for a real browser — prerender, circuit, renderer, diffs, batches on the socket — it does for this.
internal sealed partial class BlazorCircuit : IAsyncDisposable
{
    /// JSCallResultType.JSObjectReference: the call returns a JavaScript object (an imported module).
    private const int JSObjectReferenceResult = 1;

    private readonly HubConnection _hub;
    private readonly PageLoadCounters _counters;

    private BlazorCircuit(HubConnection hub, PageLoadCounters counters)
    {
        _hub = hub;
        _counters = counters;
    }

    public bool Open => _hub.State == HubConnectionState.Connected;

    public static async Task<BlazorCircuit?> OpenAsync(HttpClient http, CookieContainer cookies, string path, PageLoadCounters counters, CancellationToken cancellationToken)
    {
        var page = new Uri(http.BaseAddress!, path);
        var html = await http.GetStringAsync(page, cancellationToken);
        Interlocked.Increment(ref counters.Pages);
        var markers = new JsonArray();
        var ssrId = 0;
        foreach (Match match in Marker().Matches(html))
        {
            var marker = JsonNode.Parse(match.Groups["json"].Value)!;
            if (marker["descriptor"] is null)
            {
                continue; // an end marker
            }
            markers.Add(new JsonObject { ["type"] = "add", ["ssrComponentId"] = ssrId++, ["marker"] = marker });
        }
        if (markers.Count == 0)
        {
            return null; // a static page (login): nothing interactive to hold
        }
        var state = ComponentState().Match(html) is { Success: true } s ? s.Groups["state"].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(http.BaseAddress!, "_blazor"), options =>
            {
                options.Cookies = cookies;
                options.Transports = HttpTransportType.WebSockets;
            });
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol(new MessagePackHubProtocol()));
        var hub = builder.Build();
        var circuit = new BlazorCircuit(hub, counters);
        hub.On<long, byte[]>("JS.RenderBatch", async (batch, bytes) =>
        {
            Interlocked.Increment(ref counters.RenderBatches);
            Interlocked.Add(ref counters.RenderBytes, bytes.Length);
            await hub.SendAsync("OnRenderCompleted", batch, null);
        });
        var nextObjectId = 0;
        hub.On<long, string, string, int, long, int>("JS.BeginInvokeJS", async (handle, _, _, resultType, _, _) =>
        {
            Interlocked.Increment(ref counters.JsCalls);
            if (handle != 0)
            {
                // A module import (result type 1) gets an object reference whose later calls answer null in turn.
                var result = resultType == JSObjectReferenceResult ? $"{{\"__jsObjectId\":{++nextObjectId}}}" : "null";
                await hub.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
            }
        });
        hub.On<string>("JS.Error", _ => Interlocked.Increment(ref counters.CircuitErrors));
        hub.On<long>("JS.EndUpdateRootComponents", _ => { });
        await hub.StartAsync(cancellationToken);
        var circuitId = await hub.InvokeAsync<string?>("StartCircuit", http.BaseAddress!.ToString(), page.ToString(), "[]", state, cancellationToken);
        if (circuitId is null)
        {
            Interlocked.Increment(ref counters.CircuitErrors);
            await hub.DisposeAsync();
            return null;
        }
        var operations = new JsonObject { ["batchId"] = 0, ["operations"] = markers };
        await hub.SendAsync("UpdateRootComponents", operations.ToJsonString(), state, cancellationToken);
        Interlocked.Increment(ref counters.Circuits);
        return circuit;
    }

    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        Interlocked.Decrement(ref _counters.Circuits);
    }

    [GeneratedRegex(@"<!--Blazor:(?<json>\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(?<state>[a-zA-Z0-9+/=]+)-->")]
    private static partial Regex ComponentState();

    /// Blazor's hub speaks SignalR's MessagePack protocol under the name "blazorpack" (its own encoder writes the same
    /// bytes for the types a circuit uses: strings, numbers, booleans, byte arrays).
    private sealed class BlazorPackProtocol(IHubProtocol inner) : IHubProtocol
    {
        public string Name => "blazorpack";

        public int Version => inner.Version;

        public TransferFormat TransferFormat => TransferFormat.Binary;

        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) =>
            inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);
    }
}

/// What the page users did; written by many tasks (interlocked), read once per report.
internal sealed class PageLoadCounters
{
    public int Circuits;
    public long Pages;
    public long ApiCalls;
    public long Uploads;
    public long Exports;
    public long ExportBytes;
    public long Failures;
    public long RenderBatches;
    public long RenderBytes;
    public long JsCalls;
    public long CircuitErrors;
    public string? LastFailure;

    public void Reset()
    {
        Pages = ApiCalls = Uploads = Exports = ExportBytes = Failures = RenderBatches = RenderBytes = JsCalls = CircuitErrors = 0;
    }
}
