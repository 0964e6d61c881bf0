using Mailroom.Server.Tests.Api.Pipeline;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Input;

/// <summary>
/// A statement the database refuses is logged short: its start, how many parameters, the provider's message. Not
/// the whole statement nor a description of every parameter, which came to 3 MB per request (issue 16 item 7).
/// </summary>
public sealed class FailedStatementLogTests
{
    [Theory, Providers]
    public async Task FailingStatement_LogsItShort_WithoutParameters(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await app.Http.PostAsync($"/v3/_failing_sql?api_key={a.ApiKey}", null))
            .AssertJsonAsync(500, """{"error":"Internal Server Error","message":"Something went wrong"}""");

        var failure = Assert.Single(app.Logs.Lines, l => l.Contains("Failed executing DbCommand", StringComparison.Ordinal));
        Assert.Contains("2000 parameters", failure);
        Assert.Contains("SELECT no_such_column FROM accounts", failure);
        // The statement is cut after 300 characters; the parameter names at its end never appear, nor any value.
        Assert.Contains("characters)", failure);
        foreach (var line in app.Logs.Lines)
        {
            Assert.DoesNotContain("param-value-", line);
            Assert.DoesNotContain("p1999", line);
            Assert.True(line.Length < 10_000, $"a log line of {line.Length} characters: {line[..Math.Min(200, line.Length)]}");
        }
    }
}
