using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Velvet.Tests.Infrastructure;

/// <summary>The warnings and errors a test server logged (its operators would see them), so a test can show a path logs none.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>"Level Category: message", oldest first.</summary>
    public IReadOnlyList<string> WarningsAndErrors => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
            }
        }
    }
}
