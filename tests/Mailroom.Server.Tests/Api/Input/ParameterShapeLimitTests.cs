using System.Text;
using Mailroom.Server.Tests.Api.Pipeline;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Input;

/// <summary>
/// Rails-style keys are bounded in depth and length before credentials are looked at (issue 16 item 6): a key
/// nested 30,000 deep once took 13 s of CPU to reach its 401. These tests assert the answers, never a duration;
/// the reader is linear because it reads each key once with indexes and stops at the depth limit.
/// </summary>
public sealed class ParameterShapeLimitTests
{
    const string TooDeep = """{"error":"Bad Request","message":"Parameter names may nest at most 32 levels deep"}""";
    const string TooLong = """{"error":"Bad Request","message":"Parameter names may be at most 1024 characters long"}""";

    static string Nested(int brackets) => "x" + string.Concat(Enumerable.Repeat("[a]", brackets));

    static Task<HttpResponseMessage> PostForm(PipelineApp app, string url, string body) =>
        app.Http.PostAsync(url, Bodies.Raw(body, "application/x-www-form-urlencoded"));

    [Theory, Providers]
    public async Task DeepKey_AtTheLimitReads_OneDeeperIs400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        // 32 segments (x and 31 brackets) is the deepest a key may be, as in Rack 3.
        var echoed = await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", Nested(31) + "=1")).AssertStatusAsync(200);
        var node = echoed["x"];
        for (var i = 0; i < 31; i++) node = node!["a"];
        Assert.Equal("1", node!.GetValue<string>());

        await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", Nested(32) + "=1")).AssertJsonAsync(400, TooDeep);
        await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", "x" + string.Concat(Enumerable.Repeat("[]", 40)) + "=1"))
            .AssertJsonAsync(400, TooDeep);
        // In the query string too, and without credentials: the 400 comes before the 401.
        await (await app.Http.GetAsync($"/v3/_echo?{Nested(32)}=1")).AssertJsonAsync(400, TooDeep);
        Assert.Equal(0, app.WorkDone);
    }

    [Theory, Providers]
    public async Task OneMebibyteOfNestedKey_IsRefusedWith400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);

        // The attack at full size: one key, 1 MiB of [a], no credentials. Its length stops it before its depth.
        var body = new StringBuilder("x");
        while (body.Length + 3 + 2 <= 1024 * 1024) body.Append("[a]");
        body.Append("=1");
        Assert.True(body.Length <= 1024 * 1024);
        await (await PostForm(app, "/v3/_work", body.ToString())).AssertJsonAsync(400, TooLong);
        // Short enough but too deep, in the query string: the depth limit stops it.
        await (await app.Http.GetAsync($"/v3/_echo?{Nested(300)}=1")).AssertJsonAsync(400, TooDeep);

        // And 1 MiB of many keys, each as deep as allowed: read, then refused for want of credentials.
        var many = new StringBuilder();
        var key = Nested(31);
        for (var i = 0; many.Length + key.Length + 16 <= 1024 * 1024; i++) many.Append(key).Append("=1&");
        await (await PostForm(app, "/v3/_work", many.ToString())).AssertStatusAsync(401);
        Assert.Equal(0, app.WorkDone);
    }

    [Theory, Providers]
    public async Task LongKey_Returns400(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();

        await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", new string('k', 1024) + "=1")).AssertStatusAsync(200);
        await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", new string('k', 1025) + "=1")).AssertJsonAsync(400, TooLong);
        // Counted after decoding: %41 is one character.
        await (await PostForm(app, $"/v3/_echo?api_key={a.ApiKey}", string.Concat(Enumerable.Repeat("%41", 1024)) + "=1"))
            .AssertStatusAsync(200);
        await (await PostForm(app, "/v3/_echo", $"fields[{new string('f', 1100)}]=1")).AssertJsonAsync(400, TooLong);
    }
}
