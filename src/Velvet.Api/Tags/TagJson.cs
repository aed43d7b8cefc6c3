namespace Velvet.Api.Tags;

/// <summary>tags.md's {tag#HASH}.</summary>
internal sealed record TagJson(int Id, string Name)
{
    public static TagJson From(Tag tag) => new(tag.Id, tag.Name);
}

/// <summary>tags.md's {tag_category#HASH}: tags is an empty array when the category has none.</summary>
internal sealed record TagCategoryJson(string? Ancestry, int Id, string Name, IReadOnlyList<TagJson> Tags)
{
    public static TagCategoryJson From(TagCategory category, IEnumerable<Tag> tags) =>
        new(category.Ancestry, category.Id, category.Name, [.. tags.OrderBy(t => t.Id).Select(TagJson.From)]);
}
