using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Sequences;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Delivery.Composing;

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
        services.AddSingleton<SendBudget>();
        services.AddSingleton<BroadcastSender>();
        services.AddScoped<Tracking>();
        services.AddSingleton<ConfirmationMailer>();
        services.AddWorker<BroadcastSender>((w, ct) => w.RunOnceAsync(ct));
        services.AddSingleton<SequenceScheduler>();
        services.AddSingleton<SequenceSender>();
        services.AddWorker<SequenceScheduler>((w, ct) => w.RunOnceAsync(ct));
        services.AddWorker<SequenceSender>((w, ct) => w.RunOnceAsync(ct));
        services.AddWorker<ConfirmationMailer>((w, ct) => w.RunOnceAsync(ct));
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid(), "Webhooks: Timeout, FirstRetryDelay and MaxAge must be positive and Lease longer than Timeout")
            .ValidateOnStart();
        services.AddWebhookHttpClient();
        services.AddSingleton<WebhookPayloads>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddWorker<WebhookDispatcher>((w, ct) => w.RunOnceAsync(ct));
        return services;
    }

    /// <summary>Runs <paramref name="runOnce"/> of the singleton <typeparamref name="T"/> in a <see cref="DeliveryWorker{T}"/> loop.</summary>
    public static void AddWorker<T>(this IServiceCollection services, Func<T, CancellationToken, Task<int>> runOnce) where T : notnull
    {
        services.TryAddSingleton(typeof(WorkerWakeup<>));
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<DeliveryWorker<T>>(sp, sp.GetRequiredService<T>(), runOnce));
    }
}
