using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Mailroom.Server;

/// <summary>
/// Checks every options class registered with ValidateOnStart before anything uses them: the server does so
/// before migrating the database (the host's own check would come only after), the CLI before any command.
/// </summary>
static partial class StartupOptions
{
    /// <summary>Every problem with the settings, joined into one message, or null when they are all valid.</summary>
    public static string? Problem(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return Describe([e]);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return Describe(e.InnerExceptions.Cast<OptionsValidationException>());
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's own message names the key and the value: "... value 'maybe' at 'Demo:Enabled' to type 'System.Boolean'."
            return e.Message;
        }
    }

    // ValidateDataAnnotations wraps each attribute's message as "DataAnnotation validation failed for 'WorkerOptions'
    // members: 'Nice' with the error: '…'."; the attribute's own message already names the setting, so only it is kept.
    static string Describe(IEnumerable<OptionsValidationException> errors) =>
        string.Join("; ", errors.SelectMany(e => e.Failures).Select(f => AnnotationFailure().Match(f) is { Success: true } m ? m.Groups[1].Value : f));

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '[^']*' with the error: '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex AnnotationFailure();
}
