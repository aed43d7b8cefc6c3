namespace Velvet.Api.Exports.Delivery;

internal readonly record struct FtpReply(int Code, string Text)
{
    public bool IsPreliminary => Code is >= 100 and < 200;
    public bool IsCompletion => Code is >= 200 and < 300;

    public override string ToString() => $"{Code} {Text}";
}
