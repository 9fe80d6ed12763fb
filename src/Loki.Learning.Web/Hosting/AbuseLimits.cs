using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Hosting;

/// What is limited per client address: each kind of attempt that guesses a secret or costs someone else something.
public enum AbuseLimit
{
    /// Password sign-in: the login form and <c>/api/auth/login</c>, refresh and password-reset calls.
    Login,

    /// Public account creation (<c>/api/auth/register</c>, only when self-registration is on).
    Registration,

    /// A course's enrolment key (self-enrolment form and API).
    EnrolmentKey,

    /// A class code on the join page or <c>/api/join-requests</c>.
    ClassCode,

    /// Registrations for one public event from one address (each sends a mail and may take a place).
    EventRegistration,
}

/// One fixed window: <see cref="PermitLimit"/> attempts per <see cref="Window"/> and client address.
public sealed class AbuseWindow
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}

/// <c>RateLimits:&lt;Kind&gt;:PermitLimit</c> and <c>RateLimits:&lt;Kind&gt;:Window</c> (e.g. <c>00:10:00</c>). The
/// defaults let a classroom behind one school router sign in at the start of a lesson while keeping a guesser to a
/// few hundred tries a day; account lockout (10 wrong passwords) still guards each account on its own.
public sealed class AbuseLimitOptions
{
    public const string Section = "RateLimits";

    public AbuseWindow Login { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(5) };

    public AbuseWindow Registration { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromHours(1) };

    public AbuseWindow EnrolmentKey { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(15) };

    public AbuseWindow ClassCode { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(15) };

    public AbuseWindow EventRegistration { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromHours(1) };

    public AbuseWindow For(AbuseLimit limit) => limit switch
    {
        AbuseLimit.Login => Login,
        AbuseLimit.Registration => Registration,
        AbuseLimit.EnrolmentKey => EnrolmentKey,
        AbuseLimit.ClassCode => ClassCode,
        AbuseLimit.EventRegistration => EventRegistration,
        _ => throw new ArgumentOutOfRangeException(nameof(limit)),
    };
}

/// A partition of the limiter: the kind of attempt, the client's network (an IPv4 address, an IPv6 /64, which one
/// household or attacker usually holds whole) and, for event registrations, the event.
public readonly record struct AbuseKey(AbuseLimit? Limit, string Network, string Scope = "");

/// The one limiter behind the endpoints' rate limiting and the Blazor forms (which do not pass through the rate
/// limiting middleware per submit): both count against the same windows.
public sealed class AbuseLimiter : IDisposable
{
    /// Partition of requests to endpoints without a limit: one shared no-op limiter.
    private static readonly AbuseKey Unlimited = new(null, "");

    public AbuseLimiter(IOptions<AbuseLimitOptions> options)
    {
        var settings = options.Value;
        Limiter = PartitionedRateLimiter.Create<AbuseKey, AbuseKey>(key => key.Limit is not { } limit
            ? RateLimitPartition.GetNoLimiter(Unlimited)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.For(limit).PermitLimit,
                Window = settings.For(limit).Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public PartitionedRateLimiter<AbuseKey> Limiter { get; }

    /// Takes one attempt for <paramref name="address"/>; refused, it says when to try again.
    public bool TryAcquire(AbuseLimit limit, IPAddress? address, out TimeSpan retryAfter, string scope = "")
    {
        using var lease = Limiter.AttemptAcquire(new AbuseKey(limit, Network(address), scope));
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        return lease.IsAcquired;
    }

    /// Refuses the attempt with <c>Refusal.TooManyAttempts</c> (shown on the form) when the window is used up.
    public void Acquire(AbuseLimit limit, IPAddress? address, string scope = "")
    {
        if (!TryAcquire(limit, address, out _, scope))
        {
            throw Features.Refusal.TooManyAttempts();
        }
    }

    /// An unknown address (a test server, a broken proxy) shares one partition: it is limited, not let through.
    public static string Network(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return address.ToString();
    }

    public void Dispose() => Limiter.Dispose();
}

/// The client address of a Blazor circuit, taken when its connection comes up (a circuit's events do not carry an
/// HTTP request). Static pages read their request's address directly.
public sealed class ClientAddress
{
    public IPAddress? Value { get; set; }

    internal sealed class Capture(ClientAddress address, IHttpContextAccessor accessor) : CircuitHandler
    {
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            if (accessor.HttpContext?.Connection.RemoteIpAddress is { } remote)
            {
                address.Value = remote;
            }
            return Task.CompletedTask;
        }
    }
}

public static class AbuseLimitsHosting
{
    public static void AddLokiAbuseLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AbuseLimitOptions>()
            .BindConfiguration(AbuseLimitOptions.Section)
            .Validate(o => Enum.GetValues<AbuseLimit>().All(l => o.For(l).PermitLimit > 0 && o.For(l).Window > TimeSpan.Zero),
                "RateLimits: every PermitLimit must be at least 1 and every Window longer than zero.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AbuseLimiter>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ClientAddress>();
        builder.Services.AddScoped<CircuitHandler, ClientAddress.Capture>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<AbuseLimiter>((options, abuse) =>
        {
            // Endpoints name their limit with RequireAbuseLimit; the address is the connection's as ASP.NET sees it
            // (after forwarded headers from a trusted proxy are applied).
            options.GlobalLimiter = abuse.Limiter.WithTranslatedKey<HttpContext>(KeyOf, leaveOpen: true);
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
        });
    }

    public static void UseLokiAbuseLimits(this WebApplication app) => app.UseRateLimiter();

    /// Counts each request to these endpoints against <paramref name="limit"/> for the caller's address.
    public static TBuilder RequireAbuseLimit<TBuilder>(this TBuilder builder, AbuseLimit limit) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AbuseLimitMetadata(limit));
        return builder;
    }


    private static AbuseKey KeyOf(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AbuseLimitMetadata>() is not { } metadata)
        {
            return new AbuseKey(null, "");
        }
        // Event registrations count per event, so one busy event does not close the others to a school's address.
        // (Parsed, so ABCD… and abcd… in the URL are one event.)
        var scope = metadata.Limit == AbuseLimit.EventRegistration && Guid.TryParse(context.Request.RouteValues["eventId"]?.ToString(), out var eventId)
            ? eventId.ToString()
            : "";
        return new AbuseKey(metadata.Limit, AbuseLimiter.Network(context.Connection.RemoteIpAddress), scope);
    }
}

/// Endpoint metadata: which limit a request to this endpoint counts against.
public sealed record AbuseLimitMetadata(AbuseLimit Limit);
