using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Velvet.Tests.Infrastructure;

/// <summary>Everything a test server logged, as its operators would keep it: message, structured values and exception.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

    /// <summary>"Level Category: message values exception", oldest first.</summary>
    public IReadOnlyList<string> All => [.. _entries.Select(e => e.Text)];

    public IReadOnlyList<string> WarningsAndErrors => [.. _entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Text)];

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            logs._entries.Enqueue((logLevel, $"{logLevel} {category}: {formatter(state, exception)} {values} {exception}"));
        }
    }
}
