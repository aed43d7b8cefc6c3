using Velvet.Api.Auth;
using Velvet.Api.Wire;

namespace Velvet.Api.Dictionaries;

internal static class DictionariesEndpoints
{
    public static IEndpointRouteBuilder MapDictionaries(this IEndpointRouteBuilder routes)
    {
        // dictionaries.md's examples send no auth_token: the vocabularies are public.
        var dictionaries = routes.MapGroup("/api/v1/dictionaries").WithTags("Dictionaries").AllowWithoutToken();
        dictionaries.MapGet("/", List);
        dictionaries.MapGet("/{key}", Get);
        return routes;
    }

    public static IResult List() => Results.Json(Dictionary.All, WireJson.Options);

    public static IResult Get(string key) =>
        Dictionary.Find(key) is { } dictionary
            ? Results.Json(dictionary, WireJson.Options)
            : throw ApiException.NotFound($"Unknown dictionary '{key}'");
}
