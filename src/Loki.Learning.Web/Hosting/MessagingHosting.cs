using Loki.Learning.Web.Features;
using Mediator;

namespace Loki.Learning.Web.Hosting;

public static class MessagingHosting
{
    public static void AddLokiMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.AddLokiMessages();
        builder.Services.AddExceptionHandler<RefusalToProblem>();
    }

    /// Every message handler, with input validated before any handler runs.
    public static IServiceCollection AddLokiMessages(this IServiceCollection services)
    {
        services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Singleton);
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(ValidateMessages<,>));
        return services;
    }
}
