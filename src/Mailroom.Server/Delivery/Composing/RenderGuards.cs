using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// One render's limits and when it started; it rides in the context's ambient values so the filters and AST nodes
/// shared by every render (they live on the one <see cref="TemplateOptions"/>) can find the render they serve.
/// </summary>
sealed class RenderBudget(RenderLimits limits)
{
    const string Key = "mailroom.render-budget";
    readonly long _started = Stopwatch.GetTimestamp();

    public RenderLimits Limits => limits;

    public void AttachTo(TemplateContext context)
    {
        context.MaxSteps = limits.MaxSteps;
        context.AmbientValues[Key] = this;
    }

    public static RenderBudget? Of(TemplateContext context) =>
        context.AmbientValues.TryGetValue(Key, out var value) ? value as RenderBudget : null;

    // Greater or equal, so a zero limit (tests) trips on the first check instead of depending on the clock's grain.
    public void CheckTime()
    {
        if (Stopwatch.GetElapsedTime(_started) >= limits.MaxTime) throw new TemplateLimitException(limits.TimeExceeded());
    }

    public void CheckChars(long length)
    {
        if (length > limits.MaxChars) throw new TemplateLimitException(limits.CharsExceeded());
    }

    public void CheckItems(long count)
    {
        if (count > limits.MaxItems) throw new TemplateLimitException(limits.ItemsExceeded(count));
    }

    /// <summary>A value about to be kept (assigned, captured, returned by a filter) must fit.</summary>
    public FluidValue CheckSize(FluidValue value)
    {
        switch (value)
        {
            case StringValue s: CheckChars(s.ToStringValue().Length); break;
            case ArrayValue a: CheckItems(a.Values.Count); break;
        }
        return value;
    }
}

/// <summary>
/// Checks on the template's values: every filter's result, every assignment, plus a look ahead for the filters whose
/// result can be many times their input (<c>replace</c> with a long replacement, <c>join</c> with a long separator),
/// which are measured before they allocate.
/// </summary>
static class GuardedFilters
{
    public static void Install(TemplateOptions options)
    {
        foreach (var (name, filter) in options.Filters.ToList()) options.Filters.AddFilter(name, Guard(name, filter));
        options.Assigned = (_, value, context) =>
        {
            if (RenderBudget.Of(context) is { } budget)
            {
                budget.CheckTime();
                budget.CheckSize(value);
            }
            return new ValueTask<FluidValue>(value);
        };
    }

    static FilterDelegate Guard(string name, FilterDelegate filter) => (input, arguments, context) =>
    {
        if (RenderBudget.Of(context) is not { } budget) return filter(input, arguments, context);
        budget.CheckTime();
        LookAhead(name, input, arguments, budget);
        var result = filter(input, arguments, context);
        return result.IsCompletedSuccessfully ? new ValueTask<FluidValue>(budget.CheckSize(result.Result)) : Checked(result, budget);
    };

    static async ValueTask<FluidValue> Checked(ValueTask<FluidValue> result, RenderBudget budget) => budget.CheckSize(await result);

    static void LookAhead(string name, FluidValue input, FilterArguments arguments, RenderBudget budget)
    {
        switch (name)
        {
            case "replace" or "replace_first" or "replace_last":
            {
                var text = input.ToStringValue();
                var search = arguments.At(0).ToStringValue();
                var replacement = arguments.At(1).ToStringValue();
                var growth = (long)replacement.Length - search.Length;
                if (growth <= 0 || search.Length == 0) return;
                var count = name == "replace" ? Occurrences(text, search) : 1;
                budget.CheckChars(text.Length + count * growth);
                return;
            }
            case "join" when input is ArrayValue array:
            {
                var separator = arguments.Count > 0 ? arguments.At(0).ToStringValue().Length : 1;
                long length = (long)Math.Max(0, array.Values.Count - 1) * separator;
                foreach (var item in array.Values)
                {
                    length += item.ToStringValue().Length;
                    budget.CheckChars(length);
                }
                budget.CheckChars(length);
                return;
            }
        }
    }

    static long Occurrences(string text, string search)
    {
        long count = 0;
        for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + search.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}

/// <summary>
/// Rewrites a parsed template so the parts Fluid leaves unbounded check the render's budget: ranges (built whole in
/// memory) and captures (which render into a buffer of their own, out of reach of the output limit).
/// </summary>
sealed class GuardRewriter : AstRewriter
{
    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new BoundedRange(Visit(rangeExpression.From), Visit(rangeExpression.To));

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        var visited = (CaptureStatement)base.VisitCaptureStatement(captureStatement);
        return new BoundedCapture(visited.Identifier, visited.Statements);
    }
}

/// <summary>Finds tags that reach outside the template; Fluid would look them up in a file provider at render.</summary>
sealed class ForbiddenTags : AstVisitor
{
    public string? Found { get; private set; }

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        Found ??= "include";
        return base.VisitIncludeStatement(includeStatement);
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        Found ??= "render";
        return base.VisitRenderStatement(renderStatement);
    }
}

/// <summary><c>(from..to)</c> whose size is checked before the list is built.</summary>
sealed class BoundedRange(Expression from, Expression to) : Expression
{
    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        var start = decimal.Truncate((await from.EvaluateAsync(context)).ToNumberValue());
        var end = decimal.Truncate((await to.EvaluateAsync(context)).ToNumberValue());
        // In doubles: bounds near decimal's limits would overflow a decimal or long subtraction (an exception, not a reason).
        var count = (long)Math.Clamp((double)end - (double)start + 1, 0, long.MaxValue);
        if (RenderBudget.Of(context) is { } budget)
        {
            budget.CheckTime();
            budget.CheckItems(count);
        }
        var items = new FluidValue[count];
        for (var i = 0; i < items.Length; i++) items[i] = NumberValue.Create(start + i);
        return new ArrayValue(items);
    }
}

/// <summary><c>{% capture %}</c> rendering into a size-limited buffer, then stored unencoded as Fluid's own does.</summary>
sealed class BoundedCapture(string identifier, IReadOnlyList<Statement> statements) : Statement
{
    public override async ValueTask<Completion> WriteToAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var completion = Completion.Normal;
        using var buffer = new LimitedWriter(RenderBudget.Of(context), capture: true);
        foreach (var statement in statements)
        {
            completion = await statement.WriteToAsync(buffer, encoder, context);
            if (completion != Completion.Normal) break;
        }
        var value = new StringValue(buffer.ToString(), encode: false);
        if (context.Captured is { } captured) value = (StringValue)await captured(identifier, value, context);
        context.SetValue(identifier, value);
        return completion;
    }
}

/// <summary>A render's output (or a capture's) buffer that refuses to grow past the budget's size and checks its time on each write.</summary>
sealed class LimitedWriter(RenderBudget? budget, bool capture = false) : StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture)
{
    void Grow(long by)
    {
        if (budget is null) return;
        budget.CheckTime();
        if (GetStringBuilder().Length + by <= budget.Limits.MaxChars) return;
        throw new TemplateLimitException(capture ? budget.Limits.CharsExceeded() : budget.Limits.OutputExceeded());
    }

    public override void Write(char value)
    {
        Grow(1);
        base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Grow(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Grow(buffer.Length);
        base.Write(buffer);
    }

    public override void Write(string? value)
    {
        Grow(value?.Length ?? 0);
        base.Write(value);
    }

    public override void Write(StringBuilder? value)
    {
        Grow(value?.Length ?? 0);
        base.Write(value);
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }
}
