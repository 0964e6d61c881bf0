using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.EntityFrameworkCore.Models;

namespace Mailroom.Data;

// OAuth 2.0 (Kit's app model): OpenIddict's own entities hold the apps, grants and tokens; Mailroom adds its keys.

/// <summary>
/// A private key the OAuth server signs or encrypts tokens with, generated once per database. Kept in the database
/// rather than a file so every process on that database (several API instances, the CLI minting tokens) uses the
/// same keys and a restart keeps issued tokens valid; whoever can read this table can already read every token's data.
/// </summary>
public sealed class OAuthKey
{
    public long Id { get; set; }
    /// <summary><see cref="OAuthKeyPurposes"/>: one active key per purpose.</summary>
    public string Purpose { get; set; } = "";
    /// <summary>The RSA private key, PKCS#8 DER, base64.</summary>
    public string PrivateKey { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public static class OAuthKeyPurposes
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";
}

sealed class OAuthKeyConfiguration : IEntityTypeConfiguration<OAuthKey>
{
    public void Configure(EntityTypeBuilder<OAuthKey> b)
    {
        b.ToTable("oauth_keys");
        b.Property(x => x.Purpose).HasMaxLength(16);
        // Two processes starting on an empty database both generate a key; the unique index lets only one win.
        b.HasIndex(x => x.Purpose).IsUnique();
    }
}

static class OAuthModel
{
    /// <summary>OpenIddict's stores with long keys, in tables named like the rest of the schema.</summary>
    public static void Apply(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict<long>();
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreApplication<long>>().ToTable("oauth_applications");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreAuthorization<long>>().ToTable("oauth_authorizations");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreScope<long>>().ToTable("oauth_scopes");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreToken<long>>().ToTable("oauth_tokens");
    }
}
