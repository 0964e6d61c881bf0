using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Bench.Infrastructure;

/// <summary>Plain HTTP calls to the API for setting scenarios up; a failure stops the scenario with the body.</summary>
public static class Api
{
    public static async Task<JsonNode> PostAsync(HttpClient http, string url, object body)
    {
        using var response = await http.PostAsJsonAsync(url, body);
        return await ReadAsync(response, url);
    }

    public static async Task<JsonNode> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return await ReadAsync(response, url);
    }

    static async Task<JsonNode> ReadAsync(HttpResponseMessage response, string url)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"{(int)response.StatusCode} from {url.Split('?')[0]}: {text}");
        return JsonNode.Parse(text) ?? throw new BenchException($"empty body from {url.Split('?')[0]}");
    }
}
