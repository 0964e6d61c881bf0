using Mailroom.Server.Delivery;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Link rewriting and the plain-text part, on the edges the patterns must keep: either quote style, upper-case
/// attributes and tags, a quote closed by the other kind (not a link), and head/script/style closed by their own name.
/// </summary>
public sealed class HtmlTextTests
{
    [Fact]
    public void RewriteLinks_BothQuoteStylesAndUpperCase_KeepTheirQuotesAndOrder()
    {
        const string html = """<a href="https://a.example/x?y=1&amp;z=2">a</a> <A HREF = 'http://b.example/'>b</A> <a href="mailto:c@example.com">c</a>""";

        var rewritten = HtmlText.RewriteLinks(html, (i, url) => $"https://t.example/c/{i}?u={url}");

        Assert.Equal("""<a href="https://t.example/c/0?u=https://a.example/x?y=1&amp;z=2">a</a> <A HREF = 'https://t.example/c/1?u=http://b.example/'>b</A> <a href="mailto:c@example.com">c</a>""", rewritten);
        Assert.Equal(["https://a.example/x?y=1&z=2", "http://b.example/"], HtmlText.Links(html));
    }

    [Fact]
    public void RewriteLinks_NullReplacementOrMismatchedQuotes_LeavesTheLinkAlone()
    {
        const string html = """<a href="https://keep.example/">k</a> <a href="https://odd.example/'>o</a> <a href='https://next.example/'>n</a>""";

        var rewritten = HtmlText.RewriteLinks(html, (i, url) => url.Contains("keep") ? null : $"https://t.example/{i}");

        Assert.Equal("""<a href="https://keep.example/">k</a> <a href="https://odd.example/'>o</a> <a href='https://t.example/1'>n</a>""", rewritten);
        Assert.Equal(["https://keep.example/", "https://next.example/"], HtmlText.Links(html));
    }

    [Fact]
    public void ToText_DropsHeadScriptAndStyle_ClosedByTheirOwnNameInAnyCase()
    {
        const string html = """
            <HTML><HEAD><title>t</title></head><body>
            <script type="x">var a = "</style>";</SCRIPT ><style>p { color: red }</Style>
            <p>Hello <b>there</b></p><p><a href="https://a.example/">Read</a></p>
            </body></HTML>
            """;

        Assert.Equal("Hello there\nRead (https://a.example/)\n", HtmlText.ToText(html));
    }
}
