namespace Mailroom.Server;

/// <summary>The demo account <see cref="FirstRun"/> creates on an empty database. A bool has nothing to validate
/// beyond binding, which fails at start-up for a value like "maybe".</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";
    public bool Enabled { get; set; } = true;
}
