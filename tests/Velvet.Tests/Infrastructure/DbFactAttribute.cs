using Xunit.Abstractions;
using Xunit.Sdk;

namespace Velvet.Tests.Infrastructure;

/// <summary>
/// A fact that runs once per engine: declared on an abstract test class, it runs in the class's
/// "…_Sqlite" and "…_Postgres" subclasses. The PostgreSQL run is reported as skipped, with the reason,
/// when no server is configured — never silently passed.
/// </summary>
[XunitTestCaseDiscoverer("Velvet.Tests.Infrastructure.DbFactDiscoverer", "Velvet.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DbFactAttribute : FactAttribute;

public sealed class DbFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        if (testMethod.TestClass.Class.Name.EndsWith("_Postgres", StringComparison.Ordinal) && !TestDatabases.PostgresConfigured)
        {
            return [new SkippedTestCase(diagnosticMessageSink, display, displayOptions, testMethod, TestDatabases.PostgresSkipReason)];
        }

        return [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}

public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string reason)
        : base(sink, display, options, method) => _reason = reason;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Reason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Before the base: it may initialise the case, which reads the skip reason.
        _reason = data.GetValue<string>("Reason");
        base.Deserialize(data);
    }
}
