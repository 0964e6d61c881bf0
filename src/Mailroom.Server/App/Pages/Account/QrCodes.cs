using QRCoder;

namespace Mailroom.Server.App.Pages.Account;

/// <summary>QR codes as PNG data URIs: an <c>img</c> the page needs no script and no extra request for.</summary>
static class QrCodes
{
    public static string PngDataUri(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
    }
}
