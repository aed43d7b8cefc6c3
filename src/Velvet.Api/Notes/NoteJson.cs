namespace Velvet.Api.Notes;

/// <summary>notes.md's {note#HASH}. can_be_edited/can_be_deleted are for the viewer: the author, or a user who manages notes.</summary>
internal sealed record NoteJson(
    int Id,
    string Text,
    int? TaskId,
    int? UserId,
    DateTimeOffset CreatedAt,
    int? GuestlistId,
    int? ReservationId,
    int? ContactId,
    string? EventName,
    bool CanBeEdited,
    bool CanBeDeleted,
    DateTimeOffset UpdatedAt)
{
    public static NoteJson From(Note note, TimeZoneInfo zone, bool viewerMayChange, string? eventName = null) =>
        new(note.Id, note.Text, note.TaskId, note.UserId, Wire.WireTime.ToZone(note.CreatedAt, zone), note.GuestlistId,
            note.ReservationId, note.ContactId, eventName, viewerMayChange, viewerMayChange, Wire.WireTime.ToZone(note.UpdatedAt, zone));
}
