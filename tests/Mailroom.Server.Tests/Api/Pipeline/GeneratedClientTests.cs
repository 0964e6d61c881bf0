using System.Reflection;
using System.Runtime.Loader;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>
/// The served documents are good enough to build a client from: NSwag generates a C# client from each, Roslyn compiles
/// it, and the compiled client makes a real call against the server.
/// </summary>
public sealed class GeneratedClientTests
{
    [Fact]
    public async Task V3Document_GeneratesAClientThatCompilesAndCalls()
    {
        await using var app = await MailroomApp.StartAsync(Mailroom.Data.DatabaseOptions.Sqlite);
        var account = await app.CreateAccountAsync("Acme Corp.");
        var client = await BuildClientAsync(app, "/openapi/v3.json", "GeneratedV3");
        // The document's api_secret scheme is a query parameter, which generated clients leave to the caller.
        using var http = app.CreateDefaultClient(new QueryCredential("api_secret", account.ApiSecret));

        var instance = Activator.CreateInstance(client, http)!;
        var answer = await InvokeAsync(instance, m => m.Name == "V3AccountAsync");

        Assert.Contains("Acme Corp.", System.Text.Json.JsonSerializer.Serialize(answer));
    }

    [Fact]
    public async Task V4Document_GeneratesAClientThatCompilesAndCalls()
    {
        await using var app = await MailroomApp.StartAsync(Mailroom.Data.DatabaseOptions.Sqlite);
        var (_, v4) = await V4Client.ForNewAccountAsync(app);
        var client = await BuildClientAsync(app, "/openapi/v4.json", "GeneratedV4");
        using var http = app.CreateClient();
        foreach (var header in v4.Request(HttpMethod.Get, "/").Headers) http.DefaultRequestHeaders.Add(header.Key, header.Value);

        var instance = Activator.CreateInstance(client, http)!;
        var answer = await InvokeAsync(instance, m => m.Name.Contains("Segments", StringComparison.Ordinal));

        Assert.Contains("\"pagination\":{\"has_previous_page\":false", System.Text.Json.JsonSerializer.Serialize(answer));
    }

    static async Task<Type> BuildClientAsync(MailroomApp app, string url, string name)
    {
        var json = await (await app.Http.GetAsync(url)).Content.ReadAsStringAsync();
        var document = await NSwag.OpenApiDocument.FromJsonAsync(json);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "KitClient",
            GenerateClientInterfaces = false,
            UseBaseUrl = false,
            OperationNameGenerator = new SingleClientFromPathSegmentsOperationNameGenerator(),
        };
        // Not the class name: a namespace named like its class makes generated references resolve to the class.
        settings.CSharpGeneratorSettings.Namespace = $"Generated.{name}";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        var code = new CSharpClientGenerator(document, settings).GenerateFile();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).ToList();
        Assert.True(emitted.Success, $"The client generated from {url} does not compile:\n{string.Join("\n", errors)}");
        image.Position = 0;
        var assembly = new AssemblyLoadContext(name, isCollectible: true).LoadFromStream(image);
        return assembly.GetType($"Generated.{name}.KitClient")!;
    }

    /// <summary>Calls the first async operation method matching <paramref name="pick"/>, passing defaults for its parameters.</summary>
    static async Task<object?> InvokeAsync(object client, Func<MethodInfo, bool> pick)
    {
        var method = client.GetType().GetMethods()
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
            .Where(m => m.GetParameters().LastOrDefault()?.ParameterType == typeof(CancellationToken))
            .FirstOrDefault(pick) ?? throw new InvalidOperationException("no such operation; the client has: " +
                string.Join(", ", client.GetType().GetMethods().Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => m.Name).Distinct()));
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? CancellationToken.None
            : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
        var task = (Task)method.Invoke(client, arguments)!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }

    sealed class QueryCredential(string name, string value) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var uri = request.RequestUri!.ToString();
            request.RequestUri = new Uri(uri + (uri.Contains('?') ? '&' : '?') + $"{name}={Uri.EscapeDataString(value)}");
            return base.SendAsync(request, ct);
        }
    }
}
