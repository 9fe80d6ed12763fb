using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;

namespace Loki.Learning.Web.Features;

/// Where a "return to" parameter may send the browser: a path on this site, by ASP.NET Core's own rule
/// (<c>Url.IsLocalUrl</c>: no scheme, no "//" or "/\" that a browser reads as another host, no control characters).
public static class LocalUrl
{
    // IsLocalUrl looks at the string alone; the context only satisfies the constructor.
    private static readonly UrlHelper Urls = new(new ActionContext(new DefaultHttpContext(), new RouteData(), new ActionDescriptor()));

    public static string OrDefault(string? url, string fallback = "/") => url is not null && Urls.IsLocalUrl(url) ? url : fallback;
}
