using PhoneNumbers;

namespace Velvet.Api.Contacts;

/// <summary>
/// Phone numbers as the apps show them: North American numbers as "(123)456-7890", others in E.164.
/// The digits-only form is what searches match on, so any formatting of the same number finds it.
/// </summary>
internal static class PhoneFormat
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static bool TryNormalize(string? input, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(input) || input.Length > 40)
        {
            return false;
        }

        PhoneNumber number;
        try
        {
            number = Util.Parse(input, "US");
        }
        catch (NumberParseException)
        {
            return false;
        }

        if (!Util.IsPossibleNumber(number))
        {
            return false;
        }

        if (number.CountryCode == 1)
        {
            var national = number.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (national.Length != 10)
            {
                return false;
            }

            normalized = $"({national[..3]}){national[3..6]}-{national[6..]}";
            return true;
        }

        normalized = Util.Format(number, PhoneNumberFormat.E164);
        return true;
    }

    /// <summary>The digits a search compares: "+1 (123) 456-7890" and "123.456.7890" give the same key.</summary>
    public static string SearchKey(string? phone)
    {
        if (phone is null)
        {
            return "";
        }

        if (TryNormalize(phone, out var normalized))
        {
            phone = normalized;
        }

        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        // "(123)456-7890" is +1 1234567890: keep the national digits so stored and searched keys agree.
        return digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits;
    }
}
