using Mailroom.Data;
using Mailroom.Server.Delivery.Sequences;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mailroom.Server.Tests.Sequences;

/// <summary>Sequences made through the domain service every caller uses, subscribers added over the v3 API.</summary>
static class SequenceArrange
{
    public static async Task<long> SequenceAsync(this MailroomApp app, long accountId, SequenceSettings settings, params EmailSettings[] emails)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var editor = scope.ServiceProvider.GetRequiredService<SequenceEditor>();
        var sequence = await editor.CreateAsync(accountId, settings with { Name = settings.Name ?? "Course" }, CancellationToken.None);
        foreach (var email in emails) await editor.AddEmailAsync(accountId, sequence.Id, email, CancellationToken.None);
        return sequence.Id;
    }

    public static EmailSettings Email(string subject, int delay, string unit = DelayUnits.Days, bool published = true, string? content = null) =>
        new(Subject: subject, DelayValue: delay, DelayUnit: unit, Published: published,
            Content: new Change<string?>(content ?? $"<p>{subject} for {{{{ subscriber.first_name }}}}</p><p><a href=\"https://example.com/{subject.Replace(' ', '-')}\">Read</a></p>"));

    public static async Task<T> EditAsync<T>(this MailroomApp app, Func<SequenceEditor, Task<T>> edit)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await edit(scope.ServiceProvider.GetRequiredService<SequenceEditor>());
    }

    public static async Task<long> EmailIdAsync(this MailroomApp app, long sequenceId, string subject) =>
        await app.DbAsync(db => db.SequenceEmails.Where(e => e.SequenceId == sequenceId && e.Subject == subject).Select(e => e.Id).SingleAsync());

    /// <summary>Adds the subscriber to the sequence as a client does: POST /v3/sequences/{id}/subscribe.</summary>
    public static async Task SubscribeAsync(this MailroomApp app, TestAccount account, long sequenceId, string email, string firstName = "Ann", long[]? tags = null)
    {
        var response = await app.Http.PostAsync($"/v3/sequences/{sequenceId}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email, first_name = firstName, tags }));
        await response.AssertStatusAsync(200);
    }

    /// <summary>One pass of the scheduler and one of the sender, as the workers would run them at this clock instant.</summary>
    public static async Task<int> StepAsync(this MailroomApp app)
    {
        await app.Services.GetRequiredService<SequenceScheduler>().RunOnceAsync(CancellationToken.None);
        return await app.Services.GetRequiredService<SequenceSender>().RunOnceAsync(CancellationToken.None);
    }

    public static void At(this MailroomApp app, DateTime utc) => app.Clock.SetUtcNow(new DateTimeOffset(utc, TimeSpan.Zero));

    public static DateTime Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    public static List<string> Subjects(this SmtpSink sink, string to) => [.. sink.To(to).Select(m => m.Subject ?? "")];
}
