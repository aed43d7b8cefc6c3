namespace Velvet.Api.Exports.Delivery;

internal sealed record SftpDeliveryOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
