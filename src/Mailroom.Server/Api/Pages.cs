using System.Net;

namespace Mailroom.Server.Api;

/// <summary>Small, plain, accessible HTML pages with no external assets (confirmation, unsubscribe, errors).</summary>
static class Pages
{
    public static IResult Html(string title, string bodyHtml, int status = 200) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
        h1{font-size:1.5rem}
        label{display:block;margin:.75rem 0 .25rem;font-weight:600}
        input[type=email],input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
        .hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
        .error{color:#a40000}
        </style>
        </head>
        <body>
        <main>
        {{bodyHtml}}
        </main>
        </body>
        </html>
        """, "text/html; charset=utf-8", statusCode: status);

    public static IResult Message(string title, string text, int status = 200) =>
        Html(title, $"<h1>{WebUtility.HtmlEncode(title)}</h1>\n<p>{WebUtility.HtmlEncode(text)}</p>", status);

    public static IResult NotFound() => Message("Link not found", "This link is not valid. It may have been mistyped or cut short.", 404);
}
