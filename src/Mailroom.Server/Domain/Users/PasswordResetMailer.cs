using Mailroom.Server.Delivery.Mail;
using MimeKit;

namespace Mailroom.Server.Domain.Users;

/// <summary>
/// The "forgot password" e-mail: the same one-time reset link <c>mailroom users reset-password</c> prints, sent
/// through Mailroom's own transport (the configured SMTP relay, or the pickup folder without one).
/// </summary>
public sealed class PasswordResetMailer(UserService service, AppDbContext db, IMailTransport transport, PublicUrl publicUrl,
    ILogger<PasswordResetMailer> logger)
{
    public const string Subject = "Set a new password for Mailroom";

    /// <summary>Sends the link if a user has the address and was not mailed one lately; says nothing either way.</summary>
    public async Task RequestAsync(string email, CancellationToken ct)
    {
        if (await service.ForgotPasswordLinkAsync(email) is not { } issued) return;
        var message = new MimeMessage { Subject = Subject };
        message.From.Add(await SenderAsync(issued.User.Id, ct));
        message.To.Add(MailboxAddress.Parse(issued.User.Email!));
        message.Body = new TextPart("plain")
        {
            Text = $"""
                Someone (hopefully you) asked to set a new password for {issued.User.Email} on Mailroom.

                Open this link to choose one. It works once, for {UserService.LinkLifetime.TotalHours:0} hours:
                {issued.Link}

                If you did not ask, ignore this e-mail: your password stays as it is.
                """,
        };
        try
        {
            await transport.SendAsync(message, ct);
        }
        catch (MailDeliveryException e)
        {
            // The page must not tell the visitor whether a mail went out; the log tells the operator (never the link).
            logger.LogWarning("Password reset e-mail for user {UserId} not sent: {Reason}", issued.User.Id, e.Message);
        }
    }

    // inferred: from the sending address of the user's first account, the address the relay already accepts for
    // this server's mail; a user in no account gets it from mailroom@ the public host.
    async Task<MailboxAddress> SenderAsync(long userId, CancellationToken ct)
    {
        var address = await db.AccountMemberships.AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.AccountId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => a.PrimaryEmailAddress).FirstOrDefaultAsync(ct);
        if (string.IsNullOrWhiteSpace(address)) address = $"mailroom@{new Uri(publicUrl.Value).Host}";
        return new MailboxAddress("Mailroom", address);
    }
}
