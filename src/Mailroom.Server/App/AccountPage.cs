using Microsoft.AspNetCore.Components;

namespace Mailroom.Server.App;

/// <summary>
/// The base of every page under <c>/app/{AccountId}</c>. Nothing of the page runs or renders until the signed-in
/// user's membership is known; without one the app's not-found page answers (404), exactly as for an account
/// that does not exist.
/// </summary>
public abstract class AccountPage : ComponentBase
{
    [Parameter] public long AccountId { get; set; }

    [Inject] protected AccountAccess Access { get; set; } = null!;
    [Inject] protected NavigationManager Navigation { get; set; } = null!;
    /// <summary>One short-lived context per query or action (<c>await using var db = await Dbs.CreateDbContextAsync()</c>).</summary>
    [Inject] protected IDbContextFactory<AppDbContext> Dbs { get; set; } = null!;

    /// <summary>The user's membership of this account; set before any lifecycle method of the page runs.</summary>
    protected AccountMember Member { get; private set; } = null!;

    /// <summary>A link inside this account: <c>Href("subscribers")</c> is <c>/app/{AccountId}/subscribers</c>.</summary>
    protected string Href(string path = "") => AppUrls.Account(AccountId, path);

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        parameters.SetParameterProperties(this);
        if (await Access.MemberAsync(AccountId) is not { } member)
        {
            Navigation.NotFound();
            return;
        }
        Member = member;
        await base.SetParametersAsync(ParameterView.Empty);
    }

    /// <summary>Call first in every action that changes content or subscribers (owner or editor).</summary>
    protected Task RequireEditAsync() => Access.RequireAsync(AccountId, m => m.CanEdit);

    /// <summary>Call first in every action on keys, apps, users and account settings (owner).</summary>
    protected Task RequireOwnerAsync() => Access.RequireAsync(AccountId, m => m.IsOwner);
}

public static class AppUrls
{
    public static string Account(long accountId, string path = "") =>
        path.Length == 0 ? $"{AppSetup.Root}/{accountId}" : $"{AppSetup.Root}/{accountId}/{path.TrimStart('/')}";
}
