using System.Globalization;
using System.Text;

namespace Loki.Learning.Web.Features.Video;

/// The configuration a supervised Janus starts with, written fresh into its own folder at every start: only the
/// VideoRoom plugin and the WebSocket transport (bound to loopback: only this node speaks to it), a random API secret
/// and videoroom admin key that never leave the node, no admin API, no event handlers, no loggers.
public sealed record JanusConfiguration(string Folder, int WebSocketPort, string ApiSecret, string AdminKey)
{
    /// Every plugin, transport, event handler and logger Debian ships besides the two we use: Janus loads all it finds
    /// unless told not to, and each is surface we do not need.
    private static readonly string[] OtherPlugins =
        ["audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip", "streaming", "textroom", "videocall", "voicemail"];

    private static readonly string[] OtherTransports = ["http", "mqtt", "nanomsg", "pfunix", "rabbitmq"];

    private static readonly string[] EventHandlers = ["gelfevh", "mqttevh", "nanomsgevh", "rabbitmqevh", "sampleevh", "wsevh"];

    public string MainFile => Path.Combine(Folder, "janus.jcfg");

    public Uri WebSocketUri => new(string.Create(CultureInfo.InvariantCulture, $"ws://127.0.0.1:{WebSocketPort}/"));

    /// Writes janus.jcfg, the videoroom plugin's and the WebSocket transport's files. Overwrites what was there.
    public void Write(VideoOptions options)
    {
        Directory.CreateDirectory(Folder);
        var library = options.JanusLibraryFolder.TrimEnd('/');
        var main = new StringBuilder();
        main.Append(CultureInfo.InvariantCulture, $$"""
            general: {
                configs_folder = "{{Folder}}"
                plugins_folder = "{{library}}/plugins"
                transports_folder = "{{library}}/transports"
                events_folder = "{{library}}/events"
                loggers_folder = "{{library}}/loggers"
                debug_level = 4
                server_name = "loki"
                api_secret = "{{ApiSecret}}"
                session_timeout = 60
                reclaim_session_timeout = 0
                hide_dependencies = true

            """);
        if (options.LoopbackOnly)
        {
            // The address Janus writes into its SDP's connection line.
            main.Append("    interface = \"127.0.0.1\"\n");
        }
        main.Append(CultureInfo.InvariantCulture, $$"""
            }
            media: {
                rtp_port_range = "{{options.RtpPortMin}}-{{options.RtpPortMax}}"
            }
            nat: {
                ignore_mdns = true

            """);
        if (options.LoopbackOnly)
        {
            // Janus sees loopback as an ordinary interface only through the shim JanusSupervisor loads with this.
            main.Append("    ice_enforce_list = \"127.0.0.1\"\n");
        }
        else if (options.IceEnforceList is { Length: > 0 } enforce)
        {
            main.Append(CultureInfo.InvariantCulture, $"    ice_enforce_list = \"{enforce}\"\n");
        }
        if (!options.LoopbackOnly && options.IceIgnoreList is { Length: > 0 } ignore)
        {
            main.Append(CultureInfo.InvariantCulture, $"    ice_ignore_list = \"{ignore}\"\n");
        }
        if (!options.LoopbackOnly && options.NatPublicIp is { Length: > 0 } nat)
        {
            main.Append(CultureInfo.InvariantCulture, $"    nat_1_1_mapping = \"{nat}\"\n");
        }
        main.Append(CultureInfo.InvariantCulture, $$"""
            }
            plugins: {
                disable = "{{Libraries(OtherPlugins)}}"
            }
            transports: {
                disable = "{{Libraries(OtherTransports)}}"
            }
            loggers: {
                disable = "libjanus_jsonlog.so"
            }
            events: {
                broadcast = false
                disable = "{{Libraries(EventHandlers)}}"
            }

            """);
        File.WriteAllText(MainFile, main.ToString());

        // string_ids: rooms are named by our room ids and publishers by kind and person, so the node can kick a person's
        // camera without asking Janus who is who. lock_rtp_forward: forwarding media elsewhere needs the room secret.
        File.WriteAllText(Path.Combine(Folder, "janus.plugin.videoroom.jcfg"), $$"""
            general: {
                admin_key = "{{AdminKey}}"
                lock_rtp_forward = true
                string_ids = true
            }

            """);
        File.WriteAllText(Path.Combine(Folder, "janus.transport.websockets.jcfg"), string.Create(CultureInfo.InvariantCulture, $$"""
            general: {
                json = "compact"
                ws = true
                ws_port = {{WebSocketPort}}
                ws_ip = "127.0.0.1"
                wss = false
            }
            admin: {
                admin_ws = false
                admin_wss = false
            }

            """));
    }

    private static string Libraries(IEnumerable<string> names) => string.Join(',', names.Select(n => $"libjanus_{n}.so"));
}
