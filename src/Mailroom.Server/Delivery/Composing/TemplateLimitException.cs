namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// A template broke one of the render limits (steps, loop range, output size, time). It is a property of the
/// template, not of one recipient, so the sender fails the whole broadcast with this message as its reason instead
/// of retrying it recipient by recipient.
/// </summary>
public sealed class TemplateLimitException(string message, Exception? inner = null) : Exception(message, inner);
