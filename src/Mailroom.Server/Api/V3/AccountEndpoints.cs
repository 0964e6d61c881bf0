namespace Mailroom.Server.Api.V3;

static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccount(this RouteGroupBuilder v3)
    {
        v3.MapGet("/account", GetAccount).RequireSecret();
        return v3;
    }

    public sealed record AccountResponse(string Name, string PlanType, string PrimaryEmailAddress);

    static async Task<Results<Ok<AccountResponse>, JsonHttpResult<ApiError>>> GetAccount(Caller caller, AppDbContext db, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == caller.AccountId)
            .Select(a => new AccountResponse(a.Name, a.PlanType, a.PrimaryEmailAddress))
            .FirstOrDefaultAsync(ct);
        return account is null ? ApiError.NotFound() : TypedResults.Ok(account);
    }
}
