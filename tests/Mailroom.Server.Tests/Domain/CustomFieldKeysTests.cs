using Mailroom.Server.Domain.CustomFields;

namespace Mailroom.Server.Tests.Domain;

public sealed class CustomFieldKeysTests
{
    [Theory]
    [InlineData("Phone Number", "phone_number")]
    [InlineData("  Last   Name ", "last_name")]
    [InlineData("Café Owner", "cafe_owner")]
    [InlineData("Cafe\u0301 Owner", "cafe_owner")]
    [InlineData("Ça-va? Ñandú!", "ca_va_nandu")]
    [InlineData("Straße Nº 5", "strae_n_5")]
    [InlineData("Tiếng Việt", "tieng_viet")]
    [InlineData("日本 Region", "region")]
    [InlineData("日本", "")]
    [InlineData("!!!", "")]
    public void KeyFor_Label_FoldsDiacriticsAndUnderscoresTheRest(string label, string key) =>
        Assert.Equal(key, CustomFieldKeys.KeyFor(label));
}
