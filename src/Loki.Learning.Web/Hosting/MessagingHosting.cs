using Loki.Learning.Web.Features;
using Mediator;

namespace Loki.Learning.Web.Hosting;

public static class MessagingHosting
{
    public static void AddLokiMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Singleton);
        builder.Services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(ValidateMessages<,>));
        builder.Services.AddExceptionHandler<RefusalToProblem>();
    }
}
