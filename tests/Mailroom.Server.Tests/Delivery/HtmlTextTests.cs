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

    [Fact]
    public void ToText_EntitiesBreaksParagraphsAndLists_ReadAsText()
    {
        const string html = "<h1>Caf&eacute; &amp; Bar &#8212; &lt;open&gt;</h1><p>One<br>Two<BR/>Three</p>" +
                            "<ul><li>First</li><li>Second &ndash; <em>2</em></li></ul><ol><li>Only</li></ol><div>Tail&nbsp;end</div>";

        Assert.Equal("Café & Bar — <open>\nOne\nTwo\nThree\nFirst\nSecond – 2\nOnly\nTail\u00A0end\n", HtmlText.ToText(html));
    }

    [Fact]
    public void ToText_Links_LabelThenTargetOrTheTargetAlone()
    {
        const string html = """
            <p><a href="https://a.example/x?y=1&amp;z=2">Read <b>more</b></a></p>
            <p><a href='https://b.example/'>https://b.example/</a> <a href="https://c.example/"><img src="x.png"></a> <a name="top">anchor</a></p>
            """;

        // The source's own line break between the paragraphs is kept, as it always was: a blank line.
        Assert.Equal("Read more (https://a.example/x?y=1&z=2)\n\nhttps://b.example/ https://c.example/ anchor\n", HtmlText.ToText(html));
    }

    [Fact]
    public void ToText_MalformedHtml_ReadsAsABrowserWould()
    {
        // A '<' that opens no tag, an unclosed <b>, an attribute with '>' in its value, a script string holding "</style>",
        // a comment with a tag inside and a paragraph never closed: no markup may leak into the text, no text may be lost.
        const string html = """<p>1 < 2 and <b>bold<p title="a>b">Next<!-- <p>hidden</p> --> line<script>var s = "</style><p>x";</script><p>Last""";

        Assert.Equal("1 < 2 and bold\nNext line\nLast\n", HtmlText.ToText(html));
    }
}
