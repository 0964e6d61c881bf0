namespace Mailroom.Server.Tests.Webhooks;

/// <summary>Delivery builds on the domain, never on the API: the wire shapes webhooks send live in Domain.</summary>
public sealed class DeliveryLayeringTests
{
    [Fact]
    public void DeliverySources_NameNothingOfTheApi()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Mailroom.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var delivery = Path.Combine(root.FullName, "src", "Mailroom.Server", "Delivery");

        var sources = Directory.GetFiles(delivery, "*.cs", SearchOption.AllDirectories);
        var offending = sources.Where(f => File.ReadAllText(f).Contains("Mailroom.Server.Api", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root.FullName, f)).ToList();

        Assert.NotEmpty(sources);
        Assert.Empty(offending);
    }
}
