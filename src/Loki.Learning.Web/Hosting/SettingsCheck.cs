using System.Globalization;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Hosting;

/// Binds a settings section to its options type and checks it when the node starts: a value of the wrong type or out of
/// range stops the node with one line per setting, naming the key, what it may be and what it is
/// (<see cref="LokiCommands"/> prints each <see cref="OptionsValidationException"/> failure as one line).
public static class SettingsCheck
{
    /// Registers <typeparamref name="T"/> bound to <paramref name="section"/> once, however often it is asked for (a
    /// container without configuration keeps the defaults).
    public static IServiceCollection AddCheckedSettings<T>(this IServiceCollection services, string section)
        where T : class, ICheckedSettings
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationType == typeof(Check<T>)))
        {
            return services;
        }
        services.AddSingleton<IValidateOptions<T>, Check<T>>();
        services.AddOptions<T>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<IConfiguration>() is { } configuration)
                {
                    Bind(configuration.GetSection(section), options);
                }
            })
            .ValidateOnStart();
        return services;
    }

    /// The binder's own refusal (a word where a number belongs) said as one of our lines.
    private static void Bind<T>(IConfigurationSection section, T options)
    {
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new OptionsValidationException(section.Path, typeof(T), [exception.Message]);
        }
    }

    /// "<paramref name="key"/> must be <paramref name="allowed"/>, not '<paramref name="value"/>'."
    public static string Problem(string key, string allowed, object? value) =>
        string.Create(CultureInfo.InvariantCulture, $"{key} must be {allowed}, not '{value}'.");

    public static bool IsPort(int port, int lowest = 0) => port >= lowest && port <= 65535;

    public static bool IsWebAddress(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    private sealed class Check<T> : IValidateOptions<T>
        where T : class, ICheckedSettings
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var found = options.Problems().ToList();
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}

/// Settings that say what is wrong with them: one line per setting, naming its key (<see cref="SettingsCheck.Problem"/>).
public interface ICheckedSettings
{
    IEnumerable<string> Problems();
}
