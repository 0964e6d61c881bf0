using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Mailroom.Data;
using Mailroom.Server.Domain.Webhooks;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>SSRF: targets on non-public addresses are refused at rule creation and at delivery unless allowed.</summary>
public sealed class WebhookTargetsTests
{
    static readonly Dictionary<string, string?> Strict = new() { ["Webhooks:AllowPrivateTargets"] = "false" };

    [Theory]
    [InlineData("8.8.8.8", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("100.128.0.1", null)]
    [InlineData("2606:4700::1111", null)]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "shared (CGNAT)")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fd00::1", "private")]
    [InlineData("fc00::1", "private")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("192.0.2.77", "documentation")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.200", "documentation")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("192.0.3.1", null)]
    [InlineData("203.0.114.1", null)]
    public void Restriction_Address_ClassifiesPublicAndNonPublic(string address, string? expected) =>
        Assert.Equal(expected, WebhookTargets.Restriction(IPAddress.Parse(address)));

    [Theory, Providers]
    public async Task CreateRule_NonPublicTargetByDefault_Returns422AndStoresNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, Strict);
        var account = await app.CreateAccountAsync();
        (string Url, string Reason)[] cases =
        [
            ("http://127.0.0.1:9000/hook", "127.0.0.1 is a loopback address"),
            ("http://localhost/hook", "localhost is a loopback address"),
            ("http://api.localhost/hook", "api.localhost is a loopback address"),
            ("https://10.1.2.3/", "10.1.2.3 is a private address"),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
            ("http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address"),
            ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
            ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
            ("http://[::1]:8080/", "::1 is a loopback address"),
            ("http://[fd12::1]/", "fd12::1 is a private address"),
            ("http://[::ffff:192.168.0.1]/", "::ffff:192.168.0.1 is a private address"),
            ("http://192.0.2.77/hook", "192.0.2.77 is a documentation address"),
            ("http://198.51.100.7:8080/", "198.51.100.7 is a documentation address"),
            ("https://203.0.113.200/x", "203.0.113.200 is a documentation address"),
            ("http://[2001:db8::5]/", "2001:db8::5 is a documentation address"),
        ];
        foreach (var (url, reason) in cases)
        {
            var response = await app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new
            { api_secret = account.ApiSecret, target_url = url, @event = new { name = "subscriber.subscriber_activate" } }));
            await response.AssertJsonAsync(422, $$"""{"error":"Unprocessable Entity","message":"Target url is not allowed: {{reason}}"}""");
        }
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateRule_PublicAddress_IsAccepted(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, Strict);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new
        { api_secret = account.ApiSecret, target_url = "http://93.184.215.14/hook", @event = new { name = "subscriber.subscriber_activate" } }));

        await response.AssertJsonAsync(200, $$"""
            {"rule":{"id":1,"account_id":{{account.Id}},"event":{"name":"subscriber_activate"},"target_url":"http://93.184.215.14/hook"} }
            """);
    }

    [Theory, Providers]
    public async Task Delivery_TargetOnLoopbackByDefault_FailsAtOnceWithoutConnecting(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, Strict);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var port = new Uri(receiver.Url).Port;
        // Rules that predate the check, or whose name resolved elsewhere when they were made.
        await app.DbAsync(async db =>
        {
            foreach (var url in new[] { $"{receiver.Url}/literal", $"http://localhost:{port}/name" })
                db.WebhookRules.Add(new WebhookRule
                {
                    AccountId = account.Id, EventName = "tag_add", ParameterName = "tag_id", ParameterValue = tag.Id.ToString(),
                    TargetUrl = url, Status = "enabled", CreatedAt = MailroomApp.Start.UtcDateTime,
                });
            await db.SaveChangesAsync();
        });
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);

        await app.DispatchAsync();

        var deliveries = await app.DeliveriesAsync();
        Assert.All(deliveries, d => Assert.Equal((WebhookDeliveryStatuses.Failed, 1, (int?)null), (d.Status, d.Attempts, d.LastStatusCode)));
        Assert.Equal("target refused: 127.0.0.1 is a loopback address (Webhooks:AllowPrivateTargets is off)", deliveries[0].LastError);
        Assert.Matches(@"^target refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address \(Webhooks:AllowPrivateTargets is off\)$", deliveries[1].LastError);
        Assert.Empty(receiver.Attempts);
    }

    [Fact]
    public void FirstRefused_EveryAddressOfAName_MustBeAllowed()
    {
        var none = new HashSet<IPAddress>();
        IPAddress[] mixed = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("2606:4700::1111")];
        IPAddress[] public_ = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("2606:4700::1111")];

        Assert.Equal(IPAddress.Parse("10.0.0.1"), WebhookTargets.FirstRefused(mixed, none));
        Assert.Null(WebhookTargets.FirstRefused(public_, none));
        // A public address that is one of this host's own is refused like a private one.
        var own = new HashSet<IPAddress> { IPAddress.Parse("2606:4700::1111") };
        Assert.Equal(IPAddress.Parse("2606:4700::1111"), WebhookTargets.FirstRefused(public_, own));
        Assert.Equal(WebhookTargets.Own, WebhookTargets.Restriction(IPAddress.Parse("::ffff:93.184.215.14"), new HashSet<IPAddress> { IPAddress.Parse("93.184.215.14") }));
        // Loopback keeps its name even though it is an interface address too.
        Assert.Equal("loopback", WebhookTargets.Restriction(IPAddress.Loopback, new HashSet<IPAddress> { IPAddress.Loopback }));
    }

    [OwnAddressTheory, Providers]
    public async Task CreateRule_OneOfThisHostsOwnAddresses_Returns422WhateverItsRange(string provider)
    {
        var own = OwnAddressTheoryAttribute.Find()!;
        await using var app = await MailroomApp.StartAsync(provider, Strict);
        var account = await app.CreateAccountAsync();
        var host = own.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{own}]" : own.ToString();

        // Only a rule is created: no event could fire a delivery, so nothing is sent to the address.
        var response = await app.Http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new
        { api_secret = account.ApiSecret, target_url = $"http://{host}/hook", @event = new { name = "subscriber.subscriber_activate" } }));

        await response.AssertJsonAsync(422, $$"""{"error":"Unprocessable Entity","message":"Target url is not allowed: {{own}} is one of this host's own addresses"}""");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task Delivery_NameResolvingToSeveralLoopbackAddresses_IsSentWhenPrivateTargetsAreAllowed(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:AllowPrivateTargets"] = "true" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        // localhost resolves to 127.0.0.1 and usually ::1 too; the receiver listens on the first only.
        await app.RuleAsync(account, $"http://localhost:{new Uri(receiver.Url).Port}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);

        await app.DispatchAsync();

        Assert.Equal(WebhookDeliveryStatuses.Delivered, Assert.Single(await app.DeliveriesAsync()).Status);
        Assert.Contains("jon@example.com", Assert.Single(receiver.Requests).Text);
    }
}

/// <summary>A theory skipped on a machine whose interfaces have no address but loopback and link-local ones.</summary>
public sealed class OwnAddressTheoryAttribute : TheoryAttribute
{
    public OwnAddressTheoryAttribute()
    {
        if (Find() is null) Skip = "this machine has no non-loopback interface address";
    }

    /// <summary>A non-loopback address of this machine, IPv4 first, not link-local (its scope makes no URL); or null.</summary>
    public static IPAddress? Find() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal)
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault();
}
