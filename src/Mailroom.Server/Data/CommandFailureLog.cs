using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mailroom.Server.Data;

/// <summary>
/// Logs a failed SQL statement in place of EF Core's "Failed executing DbCommand" error, which is turned off
/// (<see cref="DatabaseSetup"/>): that one writes the whole statement and a description of every parameter, so a
/// call with 32,766 ids once wrote 3 MB per request. Here the statement is cut to its first
/// <see cref="MaxSqlChars"/> characters, which name the table and the operation, and parameters are only counted:
/// their values are subscriber data and credentials.
/// </summary>
sealed class CommandFailureLog(ILogger<CommandFailureLog> logger) : DbCommandInterceptor
{
    public const int MaxSqlChars = 300;

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Log(command, eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Log(command, eventData);
        return Task.CompletedTask;
    }

    void Log(DbCommand command, CommandErrorEventData eventData)
    {
        var sql = command.CommandText ?? "";
        var shown = sql.Length <= MaxSqlChars ? sql : $"{sql[..MaxSqlChars]}… ({sql.Length} characters)";
        // The exception goes as its type and message only: provider messages name the problem, not the values.
        logger.LogError("Failed executing DbCommand ({Elapsed} ms, {ParameterCount} parameters) {ExceptionType}: {ExceptionMessage} SQL: {Sql}",
            (long)eventData.Duration.TotalMilliseconds, command.Parameters.Count, eventData.Exception.GetType().Name,
            eventData.Exception.Message, shown);
    }
}
