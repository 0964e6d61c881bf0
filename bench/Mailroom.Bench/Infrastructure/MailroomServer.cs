using System.Text.Json.Nodes;

namespace Mailroom.Bench.Infrastructure;

public sealed record BenchAccount(long Id, string ApiKey, string ApiSecret);

/// <summary>
/// The published Mailroom (Release build) on one bench database: admin commands through its CLI, and server
/// processes configured as the issue asks: rate limit off, no demo account, this database, mail to a folder
/// in the work directory unless SMTP is given.
/// </summary>
public sealed class MailroomServer(BenchContext context, BenchDatabase db, string name)
{
    string Executable => Path.Combine(context.Options.ServerDir, "mailroom");
    public BenchDatabase Database => db;

    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["Database__Provider"] = db.Provider,
            ["Database__ConnectionString"] = db.ConnectionString,
            ["RateLimit__PermitsPerMinute"] = "0",
            ["Demo__Enabled"] = "false",
            ["Outbox__Directory"] = Path.Combine(context.WorkDir, "outbox", name),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        return env;
    }

    public async Task<string> CliAsync(params string[] args)
    {
        // The published folder is the working directory, as for the server, so appsettings.json applies.
        var run = await Shell.RunAsync(Executable, args, Environment(), context.Options.ServerDir);
        return run.EnsureSuccess($"mailroom {string.Join(' ', args)}").Output;
    }

    public async Task<BenchAccount> SetUpAccountAsync()
    {
        await CliAsync("migrate");
        return await CreateAccountAsync("Bench", "bench@example.com");
    }

    public async Task<BenchAccount> CreateAccountAsync(string name, string email)
    {
        var json = JsonNode.Parse(await CliAsync("accounts", "create", "--name", name, "--email", email, "--json"))!;
        return new BenchAccount(json["id"]!.GetValue<long>(), json["api_key"]!.GetValue<string>(), json["api_secret"]!.GetValue<string>());
    }

    public async Task<long> CreateFormAsync(long accountId)
    {
        var json = JsonNode.Parse(await CliAsync("forms", "create", "--account", accountId.ToString(), "--name", "Newsletter", "--json"))!;
        return json["id"]!.GetValue<long>();
    }

    /// <summary>Starts the server on a free port and waits for its first 200 from /healthz.</summary>
    public async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, params string[] extraArgs)
    {
        var port = Ports.Free();
        var server = ServerProcess.Start(Executable, ["--urls", $"http://127.0.0.1:{port}", .. extraArgs],
            Environment(new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
            {
                ["PublicUrl"] = $"http://127.0.0.1:{port}",
            }), context.Options.ServerDir, port, Path.Combine(context.WorkDir, $"{name}.log"));
        try
        {
            await server.WaitHealthyAsync(context.Http);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }
}
