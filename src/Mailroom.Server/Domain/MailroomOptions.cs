using Microsoft.Extensions.Options;

namespace Mailroom.Server.Domain;

/// <summary>Top-level settings (no section).</summary>
public sealed class MailroomOptions
{
    /// <summary>Base URL written into links (form embeds, emails). Default: the first listening URL.</summary>
    public string? PublicUrl { get; set; }
}

/// <summary>Every link in every email starts with PublicUrl, so one that is not an absolute http(s) URL stops start-up.</summary>
sealed class MailroomOptionsValidation : IValidateOptions<MailroomOptions>
{
    public ValidateOptionsResult Validate(string? name, MailroomOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PublicUrl)) return ValidateOptionsResult.Success;
        var ok = Uri.TryCreate(options.PublicUrl.Trim(), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
        return ok ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"PublicUrl must be an absolute http or https URL without query or fragment, not '{options.PublicUrl}'");
    }
}
