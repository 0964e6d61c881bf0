using Mailroom.Server.Delivery;
namespace Mailroom.Server.Api.V4.Bulk;

public static class BulkServices
{
    /// <summary>The bulk applier (used by the API for small requests and by the worker for queued ones) and its worker.</summary>
    public static IServiceCollection AddMailroomBulk(this IServiceCollection services)
    {
        services.AddOptions<BulkOptions>().BindConfiguration(BulkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<BulkApplier>();
        services.AddSingleton<BulkWorker>();
        services.AddWorker<BulkWorker>((w, ct) => w.RunOnceAsync(ct));
        return services;
    }
}
