using Velvet.Api.LogMethods;
using Velvet.Api.Notes;
using Velvet.Api.Wire;

namespace Velvet.Api.Tasks;

/// <summary>tasks.md's {task#HASH}; endpoints and Last Changes both build it here.</summary>
internal sealed record TaskJson(
    int Id,
    DateTimeOffset? Date,
    int? ContactId,
    string? Category,
    IReadOnlyList<NoteJson> Notes,
    string State,
    DateTimeOffset? CompletedAt,
    int UserId,
    int? OwnerId,
    string? Kind,
    int? VenueId,
    int? ReservationId,
    string? ReservationStage,
    IReadOnlyList<LogMethodJson> LogMethods,
    DateTimeOffset CreatedAt,
    int? EventId,
    string? CompleteMethod,
    string? Result,
    string? ContactName)
{
    public static TaskJson From(CrmTask task, IReadOnlyList<NoteJson> notes, IReadOnlyList<LogMethodJson> logMethods, TimeZoneInfo zone) =>
        new(task.Id, WireTime.ToZone(task.Date, zone), task.ContactId, task.Category, notes, task.State,
            WireTime.ToZone(task.CompletedAt, zone), task.UserId, task.OwnerId, task.Kind, task.VenueId, task.ReservationId,
            task.ReservationStage, logMethods, WireTime.ToZone(task.CreatedAt, zone), task.EventId, task.CompleteMethod,
            task.Result, task.ContactName);
}
