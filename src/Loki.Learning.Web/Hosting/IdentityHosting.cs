using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Hosting;

public static class IdentityHosting
{
    /// Picks the bearer scheme when a request carries a token, the cookie otherwise.
    private const string CookieOrBearer = "CookieOrBearer";

    public static void AddLokiIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieOrBearer;
                options.DefaultChallengeScheme = CookieOrBearer;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(CookieOrBearer, CookieOrBearer, options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? IdentityConstants.BearerScheme
                        : IdentityConstants.ApplicationScheme;
            })
            .AddBearerToken(IdentityConstants.BearerScheme)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure<IOptions<SiteOptions>>((options, site) =>
            {
                options.LoginPath = "/account/login";
                options.LogoutPath = "/account/logout";
                options.AccessDeniedPath = "/account/denied";
                options.Cookie.Name = "loki.auth";
                options.Cookie.SameSite = SameSiteMode.Lax;
                // In a cluster the browser opens its audio socket on the node that hosts the room: nodes under one
                // parent domain (node1.loki.example.se, node2.loki.example.se) share the sign-in with Site:CookieDomain.
                if (site.Value.CookieDomain is { Length: > 0 } domain)
                {
                    options.Cookie.Domain = domain;
                }
                // API callers get status codes, not a redirect to the login page.
                options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
                // So do signed-in people who may not open the Orleans dashboard (its page polls it as an API).
                options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden, OrleansHosting.DashboardPath);
            }));
        builder.Services.AddAuthorization();

        // AddApiEndpoints registers the stock SignInManager: ours goes after it, or demo accounts sign in anywhere.
        builder.Services.AddLokiPeople()
            .AddApiEndpoints()
            .AddDefaultTokenProviders()
            .AddSignInManager<LokiSignInManager>();
        builder.Services.AddSingleton<IEmailSender<Person>, IdentityMails>();

        builder.Services.AddSingleton<DemoAccountLock>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoAccountLock>());
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .PostConfigure<DemoAccountLock>((options, demo) => options.TicketDataFormat = new DemoAccountLock.TicketFormat(options.TicketDataFormat, demo));
        builder.Services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).PostConfigure<DemoAccountLock>((options, demo) =>
        {
            options.BearerTokenProtector = new DemoAccountLock.TicketFormat(options.BearerTokenProtector, demo);
            options.RefreshTokenProtector = new DemoAccountLock.TicketFormat(options.RefreshTokenProtector, demo);
        });
    }

    /// Accounts, roles and their stores: what grains need to create a pupil's account.
    public static IdentityBuilder AddLokiPeople(this IServiceCollection services) =>
        services
            .AddIdentityCore<Person>(options =>
            {
                // Pupils get passphrases ("willow-harp-snow-elk-42"): length matters more than symbol rules.
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.User.RequireUniqueEmail = false;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
                options.Lockout.MaxFailedAccessAttempts = 10;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddEntityFrameworkStores<LokiDbContext>()
            .AddClaimsPrincipalFactory<PersonClaimsFactory>();

    /// <c>Identity:SelfRegistration</c>: whether anyone may create an account at <c>/api/auth/register</c> (off unless
    /// an admin turns it on; pupils get accounts through class codes, others from their teacher or admin).
    public const string SelfRegistrationSetting = "Identity:SelfRegistration";

    public static void MapLokiAuth(this WebApplication app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapIdentityApi<Person>();
        ((IEndpointConventionBuilder)auth).Add(endpoint =>
        {
            var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "";
            if (pattern.EndsWith("/register", StringComparison.Ordinal))
            {
                endpoint.Metadata.Add(new AbuseLimitMetadata(AbuseLimit.Registration));
            }
            else if (PasswordGuessing.Any(path => pattern.EndsWith(path, StringComparison.Ordinal)))
            {
                endpoint.Metadata.Add(new AbuseLimitMetadata(AbuseLimit.Login));
            }
        });
        auth.AddEndpointFilter(async (context, next) =>
        {
            var path = context.HttpContext.Request.Path;
            if (path.Value?.EndsWith("/register", StringComparison.OrdinalIgnoreCase) == true
                && !context.HttpContext.RequestServices.GetRequiredService<IConfiguration>().GetValue(SelfRegistrationSetting, false))
            {
                throw Refusal.Forbidden("Refusal.SelfRegistrationOff");
            }
            var result = await next(context);
            // Locked out, not allowed (a demo account outside Development) and a wrong password answer alike: which
            // accounts exist and which are locked is no business of a caller without the password.
            if (path.Value?.EndsWith("/login", StringComparison.OrdinalIgnoreCase) == true
                && (result as INestedHttpResult)?.Result is ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized })
            {
                return TypedResults.Problem(SignInResult.Failed.ToString(), statusCode: StatusCodes.Status401Unauthorized);
            }
            return result;
        });
        app.MapPost("/account/logout", async (SignInManager<Person> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/");
        }).ExcludeFromDescription();
    }

    /// Documents that map the site (the OpenAPI description, the silo addresses of the cluster) are for admins
    /// outside Development.
    public static TBuilder RequireAdminOutsideDevelopment<TBuilder>(this TBuilder builder, IHostEnvironment environment)
        where TBuilder : IEndpointConventionBuilder =>
        environment.IsDevelopment() ? builder : builder.RequireAuthorization(policy => policy.RequireRole(Roles.Admin));

    /// Auth API calls that try a password or a reset code.
    private static readonly string[] PasswordGuessing = ["/login", "/refresh", "/forgotPassword", "/resetPassword", "/resendConfirmationEmail", "/manage/2fa"];

    private static Task ApiAwareRedirect(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status, string? alsoUnder = null)
    {
        if (context.Request.Path.StartsWithSegments("/api") || (alsoUnder is not null && context.Request.Path.StartsWithSegments(alsoUnder)))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// Re-checks the security stamp of a connected circuit so a removed or changed account is signed out.
    private sealed class RevalidatingIdentityStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes)
        : RevalidatingServerAuthenticationStateProvider(loggerFactory)
    {
        protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(10);

        protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<Person>>();
            return await signIn.ValidateSecurityStampAsync(state.User) is not null;
        }
    }
}
