using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Mailroom.Server.Api.OAuth;

/// <summary>
/// Gives the OAuth server its signing and encryption keys: RSA 2048 keys generated the first time a process needs
/// them and kept in <c>oauth_keys</c>, so every process on the database and every restart uses the same ones
/// (development certificates are per machine and ephemeral keys per process; either would break tokens minted
/// by the CLI or another instance). Runs once per process, when the server options are first used (after migrations).
/// </summary>
sealed class OAuthKeyRing(IServiceScopeFactory scopes, TimeProvider clock) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        options.SigningCredentials.Add(new SigningCredentials(Key(db, OAuthKeyPurposes.Signing), SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(Key(db, OAuthKeyPurposes.Encryption),
            SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    // Options are built synchronously, hence the synchronous queries.
    RsaSecurityKey Key(AppDbContext db, string purpose)
    {
        var row = db.OAuthKeys.AsNoTracking().SingleOrDefault(k => k.Purpose == purpose);
        if (row is null)
        {
            using var rsa = RSA.Create(2048);
            var created = new OAuthKey { Purpose = purpose, PrivateKey = Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()), CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.OAuthKeys.Add(created);
            try
            {
                db.SaveChanges();
                row = created;
            }
            catch (DbUpdateException)
            {
                // Another process stored its key first (unique purpose): use that one.
                db.ChangeTracker.Clear();
                row = db.OAuthKeys.AsNoTracking().Single(k => k.Purpose == purpose);
            }
        }
        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(row.PrivateKey), out _);
        return new RsaSecurityKey(key) { KeyId = $"{purpose}-{row.Id}" };
    }
}
