using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Purchases;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>
/// Reads and validates the <c>purchase</c> object of POST /v3/purchases (spec §4.6). Every problem is
/// collected and answered at once, as Kit does: purchase-level as <c>"transaction_id can't be blank"</c>,
/// product-level as <c>"Name can't be blank for product: Floppy Disk (512k)"</c>, joined by ", ".
/// </summary>
static partial class PurchaseRequest
{
    const int MaxTransactionId = 255;
    // numeric(18,4) holds 14 integer digits; larger amounts would fail in the database instead of here.
    const decimal MaxAmount = 99_999_999_999_999m;
    static readonly string[] Amounts = ["subtotal", "shipping", "discount", "tax", "total"];

    // Short names for ApiError's messages, which this reader uses a score of times.
    static string Blank(string field) => ApiError.BlankMessage(field);
    static string Invalid(string field) => ApiError.InvalidMessage(field);
    static string TooLong(string field, int max) => ApiError.TooLongMessage(field, max);
    static string OutOfRange(string field) => ApiError.OutOfRange(field);
    static string ForProduct(string message, string product) => ApiError.ForProductMessage(message, product);

    public static PurchaseInput? Read(JsonObject o, out List<string> errors)
    {
        errors = [];
        var transactionId = Str(o, "transaction_id");
        if (transactionId is null) errors.Add(Blank("transaction_id"));
        else if (transactionId.Length > MaxTransactionId) errors.Add(TooLong("transaction_id", MaxTransactionId));

        // Decision: a malformed address is one more problem in the same 400 list rather than the subscribe
        // endpoints' 422 "Error updating subscriber": Kit reports purchase problems together, and clients of this
        // endpoint (S3, S7) only need a 4xx.
        var email = Str(o, "email_address");
        if (email is null) errors.Add(Blank("email_address"));
        else if (!EmailAddress.IsValid(email)) errors.Add(Invalid("email_address"));

        var firstName = Str(o, "first_name");
        // The buyer becomes a subscriber, so the name meets the subscriber limits, reported in this endpoint's style.
        var firstNameProblem = SubscriberLimits.CheckFirstName(firstName).Problem;
        if (firstNameProblem == SubscriberProblem.FirstNameTooLong) errors.Add(TooLong("first_name", SubscriberLimits.FirstNameMaxLength));
        else if (firstNameProblem == SubscriberProblem.FirstNameInvalid) errors.Add(Invalid("first_name"));

        var currency = Str(o, "currency");
        if (currency is null) errors.Add(Blank("currency"));
        else if (!CurrencyCode().IsMatch(currency)) errors.Add(Invalid("currency"));

        DateTime? transactionTime = null;
        if (Str(o, "transaction_time") is { } time)
        {
            if (KitTimestamps.TryParse(time, out var parsed)) transactionTime = parsed;
            else errors.Add(Invalid("transaction_time"));
        }

        var amounts = new Dictionary<string, decimal?>();
        foreach (var field in Amounts)
        {
            var value = ApiParams.AsDecimal(o[field], field);
            if (value is { } v && Math.Abs(v) > MaxAmount) errors.Add(OutOfRange(field));
            amounts[field] = value is null ? null : Math.Round(value.Value, 4);
        }

        var products = ReadProducts(o, errors);
        if (errors.Count > 0) return null;
        return new PurchaseInput(transactionId!, email!, firstName, currency!.ToUpperInvariant(), transactionTime,
            // Kit only records paid purchases ("only paid is supported"); a missing status is that one.
            Str(o, "status") ?? "paid",
            amounts["subtotal"], amounts["shipping"], amounts["discount"], amounts["tax"], amounts["total"],
            Str(o, "integration"), products);
    }

    static List<ProductInput> ReadProducts(JsonObject o, List<string> errors)
    {
        var nodes = ApiParams.AsList(o["products"], "products") ?? [];
        if (nodes.Count == 0) { errors.Add(Blank("products")); return []; }
        var products = new List<ProductInput>(nodes.Count);
        var lids = new HashSet<long>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is not JsonObject p) throw new ApiParamException(400, ApiError.MustBeListOfObjects("products"));
            var name = Str(p, "name");
            // inferred: a product without a name is named by its position so the message still says which one.
            var label = name ?? $"#{i + 1}";
            var pid = ApiParams.AsLong(p["pid"], "pid");
            var lid = ApiParams.AsLong(p["lid"], "lid");
            var unitPrice = ApiParams.AsDecimal(p["unit_price"], "unit_price");
            var quantity = ApiParams.AsLong(p["quantity"], "quantity");
            // sku has been optional since June 2018; the other five are required.
            if (pid is null) errors.Add(ForProduct(Blank("Pid"), label));
            if (lid is null) errors.Add(ForProduct(Blank("Lid"), label));
            else if (!lids.Add(lid.Value)) errors.Add(ForProduct(ApiError.TakenMessage("Lid"), label));
            if (name is null) errors.Add(ForProduct(Blank("Name"), label));
            if (unitPrice is null) errors.Add(ForProduct(Blank("Unit price"), label));
            else if (Math.Abs(unitPrice.Value) > MaxAmount) errors.Add(ForProduct(OutOfRange("Unit price"), label));
            if (quantity is null) errors.Add(ForProduct(Blank("Quantity"), label));
            else if (quantity is < 1 or > int.MaxValue) errors.Add(ForProduct(ApiError.MustBeGreaterThanZeroMessage("Quantity"), label));
            if (pid is null || lid is null || name is null || unitPrice is null || quantity is null or < 1 or > int.MaxValue) continue;
            products.Add(new ProductInput(pid.Value, lid.Value, Str(p, "sku"), name, Math.Round(unitPrice.Value, 4), (int)quantity.Value));
        }
        return products;
    }

    static string? Str(JsonObject o, string name) => ApiParams.AsString(o[name], name);

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex CurrencyCode();
}
