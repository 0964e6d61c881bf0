using Mailroom.Server;
using Mailroom.Server.App;
using Mailroom.Server.Cli;
using Mailroom.Server.Data;

// One executable: `mailroom serve` (the default) runs the server, other words are admin commands.
if (CliApp.IsAdminCommand(args))
    return await CliApp.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(CliApp.ServeArgs(args));
builder.Services.AddMailroomCore();
builder.Services.AddMailroomApi();
builder.Services.AddMailroomApp();

var app = builder.Build();
if (StartupOptions.Problem(app.Services) is { } problem)
{
    await Console.Error.WriteLineAsync($"error: {problem}");
    return 1;
}
app.UseMailroomApi();
app.MapMailroomApi();
app.MapMailroomApp();

await DatabaseSetup.MigrateAsync(app.Services);
await FirstRun.CreateDemoAccountIfEmptyAsync(app);
await app.RunAsync();
return 0;

public partial class Program;
