using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Smtp:Security starttls and ssl against a real TLS relay (the SmtpServer package with a certificate made here), on
/// both of a broadcast's paths: the pipelined sessions and MailKit's shared connection. A certificate the machine
/// doesn't trust stops delivery; nothing goes out in the clear instead.
/// </summary>
public sealed class SmtpTlsTests
{
    static X509Certificate2 Certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the server side can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    static async Task<(int Sent, long BroadcastId)> SendAsync(MailroomApp app, int subscribers)
    {
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < subscribers; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        return (await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None), id);
    }

    static Dictionary<string, string?> Settings(SmtpSink sink, string security)
    {
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Smtp:Security"] = security;
        settings["Smtp:MaxConnections"] = "2";
        return settings;
    }

    [Theory]
    [InlineData("starttls", false)]
    [InlineData("ssl", true)]
    public async Task SendBroadcast_TrustedTlsRelay_DeliversEveryMessageEncrypted(string security, bool implicitTls)
    {
        using var certificate = Certificate();
        // The current user's root store is a trust anchor for .NET's chain building (on Linux as well).
        using var roots = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        roots.Open(OpenFlags.ReadWrite);
        using var publicPart = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
        roots.Add(publicPart);
        try
        {
            await using var sink = new SmtpSink(certificate, implicitTls);
            await using var app = await MailroomApp.StartAsync(DatabaseOptions.Sqlite, Settings(sink, security));

            var (sent, id) = await SendAsync(app, 8);

            Assert.Equal(8, sent);
            Assert.Equal(8, sink.Messages.Count);
            Assert.Equal(8, sink.Secure);
            Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
        }
        finally
        {
            roots.Remove(publicPart);
        }
    }

    [Theory]
    [InlineData("starttls", false)]
    [InlineData("ssl", true)]
    public async Task SendBroadcast_UntrustedCertificate_SendsNothingAndRetriesLater(string security, bool implicitTls)
    {
        using var certificate = Certificate();
        await using var sink = new SmtpSink(certificate, implicitTls);
        await using var app = await MailroomApp.StartAsync(DatabaseOptions.Sqlite, Settings(sink, security));

        var (sent, id) = await SendAsync(app, 3);

        Assert.Equal(0, sent);
        Assert.Empty(sink.Messages);
        var recipients = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id).ToListAsync());
        Assert.All(recipients, r =>
        {
            Assert.Equal((1, (DateTime?)null, (DateTime?)null), (r.Attempts, r.SentAt, r.FailedAt));
            Assert.NotNull(r.NextAttemptAt);
        });
        Assert.Equal(BroadcastStatuses.Sending, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    [Fact]
    public async Task SendBroadcast_StartTlsAgainstARelayWithoutIt_SendsNothingInTheClearAndRetriesLater()
    {
        await using var relay = new ScriptedSmtpServer();
        await using var app = await MailroomApp.StartAsync(DatabaseOptions.Sqlite, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = relay.Port.ToString(), ["Smtp:Security"] = "starttls", ["Smtp:MaxConnections"] = "2",
        });

        var (sent, id) = await SendAsync(app, 3);

        Assert.Equal(0, sent);
        Assert.Empty(relay.Messages);
        Assert.DoesNotContain("MAIL", relay.Log);
        var recipients = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id).ToListAsync());
        Assert.All(recipients, r => Assert.Equal((1, (DateTime?)null), (r.Attempts, r.FailedAt)));
        Assert.Contains(recipients, r => r.LastError!.Contains("STARTTLS"));
    }
}
