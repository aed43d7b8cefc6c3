namespace Velvet.Api.Sync;

/// <summary>The eleven classes the apps sync, as seed 001 names them, and the permission class that gates reading each.</summary>
internal static class SyncClasses
{
    public const string Contact = "Contact";
    public const string Tag = "Tag";
    public const string TagCategory = "TagCategory";
    public const string Task = "Task";
    public const string LogMethod = "LogMethod";
    public const string Notification = "Notification";
    public const string Note = "Note";
    public const string Reservation = "Reservation";
    public const string StaticText = "StaticText";
    public const string UserVenue = "UserVenue";
    public const string ContactQualification = "ContactQualification";

    public static readonly IReadOnlyList<string> All =
        [Contact, Tag, TagCategory, Task, LogMethod, Notification, Note, Reservation, StaticText, UserVenue, ContactQualification];

    /// <summary>
    /// The permissions_struct class whose "read" a user needs; null when every user may read their own
    /// (notifications, their venue links, static texts).
    /// </summary>
    public static string? ReadPermission(string className) => className switch
    {
        Contact or ContactQualification => "Contact",
        Tag or TagCategory => "Tag",
        Task => "Task",
        LogMethod => "LogMethod",
        Note => "Note",
        Reservation => "Reservation",
        _ => null,
    };
}
