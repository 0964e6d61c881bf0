using System.Security.Cryptography;
using System.Text;

namespace Mailroom.Server.Domain;

/// <summary>API keys and secrets: generated with 160+ bits of entropy, stored only as SHA-256 hashes.</summary>
static class Credentials
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // 32 characters from a 62-letter alphabet is ~190 bits; Kit's own keys are 22 characters.
    public static string NewKey() => RandomNumberGenerator.GetString(Alphabet, 32);

    public static string NewSecret() => RandomNumberGenerator.GetString(Alphabet, 43);

    public static string Hash(string credential) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));

    public static bool HashEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static string NewToken(int length = 40) => RandomNumberGenerator.GetString(Alphabet, length);
}
