using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Domain.Seeding;

sealed record PlannedPurchase(Purchase Purchase, Subscriber Subscriber);

sealed record PlannedBroadcast(Broadcast Broadcast, List<Subscriber> SentTo);

sealed partial class AccountPlan
{
    void AddPurchases(List<SeedPurchase?>? purchases)
    {
        var transactions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, path) in SeedCheck.Entries(purchases, $"{Path}.purchases"))
        {
            var transactionId = SeedCheck.Required(source.TransactionId, $"{path}.transaction_id");
            if (!transactions.Add(transactionId))
                throw SeedException.At($"{path}.transaction_id", $"purchase \"{transactionId}\" is listed twice");
            var email = SeedCheck.Email(source.EmailAddress, $"{path}.email_address");
            var currency = (source.Currency ?? "USD").Trim();
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
                throw SeedException.At($"{path}.currency", $"\"{source.Currency}\" is not a three-letter currency code");
            var time = SeedCheck.Date(source.TransactionTime, $"{path}.transaction_time") ?? _now;
            var purchase = new Purchase
            {
                TransactionId = transactionId, EmailAddress = email, Currency = currency.ToUpperInvariant(),
                TransactionTime = time, Status = SeedCheck.Optional(source.Status, $"{path}.status"),
                Subtotal = SeedCheck.Amount(source.Subtotal, $"{path}.subtotal"), Tax = SeedCheck.Amount(source.Tax, $"{path}.tax"),
                Shipping = SeedCheck.Amount(source.Shipping, $"{path}.shipping"), Discount = SeedCheck.Amount(source.Discount, $"{path}.discount"),
                Total = SeedCheck.Amount(source.Total, $"{path}.total"),
                Integration = SeedCheck.Optional(source.Integration, $"{path}.integration"),
                CreatedAt = time, UpdatedAt = time,
            };
            AddProducts(purchase, source.Products, $"{path}.products");
            // As POST /v3/purchases does: the buyer is found by email or created (active, with first_name).
            var subscriber = FindSubscriber(email)
                ?? NewSubscriber(email, SeedCheck.FirstName(source.FirstName, $"{path}.first_name"), SubscriberStates.Active, time);
            Purchases.Add(new PlannedPurchase(purchase, subscriber));
        }
    }

    static void AddProducts(Purchase purchase, List<SeedProduct?>? products, string path)
    {
        var lineIds = new HashSet<long>();
        foreach (var (source, itemPath) in SeedCheck.Entries(products, path))
        {
            var name = SeedCheck.Required(source.Name, $"{itemPath}.name");
            var pid = source.Pid ?? throw SeedException.At($"{itemPath}.pid", "is required");
            var lid = source.Lid ?? throw SeedException.At($"{itemPath}.lid", "is required");
            if (!lineIds.Add(lid)) throw SeedException.At($"{itemPath}.lid", $"line item {lid} is listed twice in this purchase");
            purchase.Products.Add(new PurchaseProduct
            {
                Position = purchase.Products.Count, Name = name, Pid = pid, Lid = lid,
                Sku = SeedCheck.Optional(source.Sku, $"{itemPath}.sku"),
                UnitPrice = SeedCheck.Amount(source.UnitPrice, $"{itemPath}.unit_price") ?? throw SeedException.At($"{itemPath}.unit_price", "is required"),
                Quantity = SeedCheck.Amount(source.Quantity, $"{itemPath}.quantity") ?? throw SeedException.At($"{itemPath}.quantity", "is required"),
            });
        }
        if (purchase.Products.Count == 0) throw SeedException.At(path, "needs at least one product");
    }

    void AddBroadcasts(List<SeedBroadcast?>? broadcasts)
    {
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, path) in SeedCheck.Entries(broadcasts, $"{Path}.broadcasts"))
        {
            // The subject names the broadcast in the printed result, so it is required and unique here.
            var subject = SeedCheck.Required(source.Subject, $"{path}.subject", int.MaxValue);
            if (!subjects.Add(subject)) throw SeedException.At($"{path}.subject", $"broadcast \"{subject}\" is listed twice");
            // Refused here as the API refuses them: include/render, or a template that breaks a render limit.
            foreach (var (field, template) in new[] { ("subject", subject), ("content", source.Content) })
                if (LiquidTemplates.Problem(template) is { } problem) throw SeedException.At($"{path}.{field}", $"is not a valid Liquid template: {problem}");
            var createdAt = SeedCheck.Date(source.CreatedAt, $"{path}.created_at") ?? _now;
            var sendAt = SeedCheck.Date(source.SendAt, $"{path}.send_at");
            var broadcast = new Broadcast
            {
                Subject = subject, Content = source.Content, Description = source.Description, Public = source.Public ?? false,
                PublishedAt = SeedCheck.Date(source.PublishedAt, $"{path}.published_at"), SendAt = sendAt,
                EmailAddress = SeedCheck.OptionalEmail(source.EmailAddress, $"{path}.email_address") ?? Email,
                EmailLayoutTemplate = SeedCheck.Optional(source.EmailLayoutTemplate, $"{path}.email_layout_template"),
                ThumbnailAlt = source.ThumbnailAlt, ThumbnailUrl = source.ThumbnailUrl,
                Status = sendAt is null ? BroadcastStatuses.Draft : BroadcastStatuses.Scheduled,
                CreatedAt = createdAt, UpdatedAt = createdAt,
            };
            var sentTo = new List<Subscriber>();
            foreach (var (raw, itemPath) in SeedCheck.Entries(source.SentTo, $"{path}.sent_to"))
            {
                var subscriber = FindSubscriber(raw.Trim()) ?? throw SeedException.At(itemPath, $"unknown subscriber \"{raw.Trim()}\"");
                if (sentTo.Contains(subscriber)) throw SeedException.At(itemPath, $"subscriber \"{raw.Trim()}\" is listed twice");
                sentTo.Add(subscriber);
            }
            if (sentTo.Count > 0)
            {
                // History, not a send: the broadcast is complete and the delivery worker never looks at it again.
                var sentAt = sendAt ?? createdAt;
                broadcast.Status = BroadcastStatuses.Completed;
                broadcast.RecipientCount = broadcast.SentCount = sentTo.Count;
                broadcast.StartedAt = broadcast.CompletedAt = sentAt;
            }
            Broadcasts.Add(new PlannedBroadcast(broadcast, sentTo));
        }
    }
}
