using Microsoft.AspNetCore.Identity;

namespace Mailroom.Server.Domain.Users;

/// <summary>Users on ASP.NET Core Identity: password hashing, lockout and security stamps come from its UserManager.</summary>
static class UsersSetup
{
    // inferred: no composition rules (upper, digit, symbol), only a length: NIST SP 800-63B's advice, and what
    // the password managers most users rely on produce anyway.
    public const int MinPasswordLength = 10;
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);

    public static IServiceCollection AddMailroomUsers(this IServiceCollection services)
    {
        services.AddIdentityCore<User>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // The user name is the e-mail address, which EmailAddress.IsValid has already checked more strictly.
                o.User.AllowedUserNameCharacters = "";
                o.Password.RequiredLength = MinPasswordLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedAttempts;
                o.Lockout.DefaultLockoutTimeSpan = LockoutTime;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            // TOTP two-factor: the key and the recovery codes go in the user_tokens table Identity already has.
            .AddTokenProvider<AuthenticatorTokenProvider<User>>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddScoped<UserService>();
        services.AddScoped<PasswordResetMailer>();
        return services;
    }
}
