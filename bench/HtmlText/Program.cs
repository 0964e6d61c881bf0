using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mailroom.Bench.HtmlText;
using Mailroom.Server.Delivery.Composing;

// A newsletter as a broadcast sends it: a table layout with inline styles, a head with a style block, a dozen
// articles with links, a list, entities, a footer with the unsubscribe link. About 20 KB.
var html = Newsletter();
Console.WriteLine($"body: {html.Length:N0} characters; {Environment.ProcessorCount} cores; {RuntimeInformationText()}");

// Same text from both (modulo what the tokenizer reads better), so the work compared is the same.
var (oldText, newText) = (RegexHtmlText.ToText(html), HtmlText.ToText(html));
Console.WriteLine($"text: regex {oldText.Length:N0} chars, tokenizer {newText.Length:N0} chars, identical: {oldText == newText}");

// The machine is shared, so each figure is the best of 15 interleaved batches: the least disturbed run of each.
const int Batches = 15, PerBatch = 300;
for (var i = 0; i < 300; i++) { RegexHtmlText.ToText(html); HtmlText.ToText(html); } // warm up: tiered JIT, regex caches
var regex = (Micros: double.MaxValue, Bytes: 0.0);
var tokenizer = (Micros: double.MaxValue, Bytes: 0.0);
for (var batch = 0; batch < Batches; batch++)
{
    var r = Measure(() => RegexHtmlText.ToText(html));
    var t = Measure(() => HtmlText.ToText(html));
    if (r.Micros < regex.Micros) regex = r;
    if (t.Micros < tokenizer.Micros) tokenizer = t;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"best of {Batches}x{PerBatch}: regex {regex.Micros:F1} µs {regex.Bytes / 1024.0:F1} KB | tokenizer {tokenizer.Micros:F1} µs {tokenizer.Bytes / 1024.0:F1} KB | tokenizer/regex {tokenizer.Micros / regex.Micros:P0}"));

static (double Micros, double Bytes) Measure(Func<string> toText)
{
    var bytes = GC.GetAllocatedBytesForCurrentThread();
    var start = Stopwatch.GetTimestamp();
    for (var i = 0; i < PerBatch; i++) toText();
    var elapsed = Stopwatch.GetElapsedTime(start);
    return (elapsed.TotalMicroseconds / PerBatch, (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)PerBatch);
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

static string Newsletter()
{
    var b = new StringBuilder();
    b.Append("""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Acme Weekly</title>
        <style>body { font-family: Helvetica, Arial, sans-serif; } .btn { background: #0066cc; color: #fff; } td { padding: 8px; }</style>
        </head><body style="margin:0;padding:0;background:#f4f4f4">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f4"><tr><td align="center">
        <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff">
        <tr><td style="padding:24px"><h1 style="font-size:24px;margin:0">Acme Weekly &mdash; Issue #42</h1>
        <p style="color:#666">Hi Jon, here&#39;s what happened this week &amp; what&rsquo;s next.</p></td></tr>

        """);
    for (var i = 1; i <= 12; i++)
    {
        b.Append(CultureInfo.InvariantCulture, $"""
            <tr><td style="padding:16px 24px;border-top:1px solid #eee">
            <h2 style="font-size:18px;margin:0 0 8px"><a href="https://acme.example/posts/{i}?utm_source=newsletter&amp;utm_medium=email" style="color:#0066cc;text-decoration:none">Article {i}: what we learned shipping &ldquo;feature {i}&rdquo;</a></h2>
            <p style="margin:0 0 8px;line-height:1.5">Lorem ipsum dolor sit amet, <strong>consectetur</strong> adipiscing elit. Sed do eiusmod tempor incididunt ut labore et
            dolore magna aliqua. Ut enim ad minim veniam, quis nostrud <em>exercitation</em> ullamco laboris nisi ut aliquip ex ea commodo consequat.<br>
            Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur &hellip;</p>
            <p style="margin:0"><a href="https://acme.example/posts/{i}" class="btn" style="display:inline-block;padding:8px 16px;border-radius:4px">Read more &rarr;</a></p>
            </td></tr>

            """);
    }
    b.Append("""
        <tr><td style="padding:16px 24px"><h3>Coming up</h3><ul><li>Webinar on <b>Tuesday</b></li><li>Office hours &ndash; Thursday</li><li><a href="https://acme.example/events">All events</a></li></ul></td></tr>
        <tr><td style="padding:24px;font-size:12px;color:#999">Acme Corp. &copy; 2026 &middot; 1 Main St, Springfield<br>
        You get this because you subscribed at acme.example. <a href="https://mailroom.example/u/abcdef0123456789">Unsubscribe</a></td></tr>
        </table></td></tr></table>
        </body></html>
        """);
    return b.ToString();
}
