namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/account</c>: the account behind the credentials. Requires the api_secret.</summary>
    /// <param name="ct">Cancels the call.</param>
    public Task<Account> GetAccountAsync(CancellationToken ct = default) =>
        GetAsync("account", Scope.Secret, ConvertKitJson.Default.Account, ct);
}
