using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery;

public static class DeliveryServices
{
    public static IServiceCollection AddMailroomDelivery(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section);
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IMailTransport>(sp =>
        {
            var smtp = sp.GetRequiredService<IOptions<SmtpOptions>>().Value;
            return string.IsNullOrWhiteSpace(smtp.Host)
                ? new PickupDirectoryTransport(sp.GetRequiredService<IOptions<OutboxOptions>>().Value.Directory)
                : new SmtpMailTransport(smtp, sp.GetRequiredService<ILogger<SmtpMailTransport>>());
        });
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<MessageComposer>();
        services.AddSingleton<BroadcastSender>();
        services.AddScoped<Tracking>();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<DeliveryWorker<BroadcastSender>>(sp,
            sp.GetRequiredService<BroadcastSender>(), (Func<BroadcastSender, CancellationToken, Task<int>>)((w, ct) => w.RunOnceAsync(ct))));
        return services;
    }
}
