namespace Velvet.Api.Auth;

/// <summary>Endpoint metadata: this v1 endpoint answers without an auth_token (sign-in, reset, dictionaries).</summary>
internal sealed class PublicEndpoint
{
    public static readonly PublicEndpoint Instance = new();
}

internal static class PublicEndpointExtensions
{
    public static TBuilder AllowWithoutToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(PublicEndpoint.Instance);
}
