namespace Mailroom.Server.Domain.Accounts;

/// <summary>
/// The names Kit shows for a time zone (<c>friendly_name</c>, "Eastern Time (US &amp; Canada)"): Rails'
/// ActiveSupport::TimeZone names, which Kit's account settings list. Where Rails gives one zone several names
/// (Edinburgh and London are both Europe/London) the first in Rails' list is used; a zone Rails does not name is
/// shown by its IANA id.
/// </summary>
public static class FriendlyZoneNames
{
    static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Etc/GMT+12"] = "International Date Line West", ["Pacific/Pago_Pago"] = "American Samoa", ["Pacific/Midway"] = "Midway Island",
        ["Pacific/Honolulu"] = "Hawaii", ["America/Juneau"] = "Alaska", ["America/Los_Angeles"] = "Pacific Time (US & Canada)",
        ["America/Tijuana"] = "Tijuana", ["America/Phoenix"] = "Arizona", ["America/Mazatlan"] = "Mazatlan",
        ["America/Denver"] = "Mountain Time (US & Canada)", ["America/Guatemala"] = "Central America",
        ["America/Chicago"] = "Central Time (US & Canada)", ["America/Chihuahua"] = "Chihuahua", ["America/Mexico_City"] = "Mexico City",
        ["America/Monterrey"] = "Monterrey", ["America/Regina"] = "Saskatchewan", ["America/Bogota"] = "Bogota",
        ["America/New_York"] = "Eastern Time (US & Canada)", ["America/Indiana/Indianapolis"] = "Indiana (East)",
        ["America/Lima"] = "Lima", ["America/Halifax"] = "Atlantic Time (Canada)", ["America/Caracas"] = "Caracas",
        ["America/La_Paz"] = "La Paz", ["America/Santiago"] = "Santiago", ["America/St_Johns"] = "Newfoundland",
        ["America/Sao_Paulo"] = "Brasilia", ["America/Argentina/Buenos_Aires"] = "Buenos Aires", ["America/Montevideo"] = "Montevideo",
        ["America/Guyana"] = "Georgetown", ["America/Puerto_Rico"] = "Puerto Rico", ["America/Godthab"] = "Greenland",
        ["America/Nuuk"] = "Greenland", ["Atlantic/South_Georgia"] = "Mid-Atlantic", ["Atlantic/Azores"] = "Azores",
        ["Atlantic/Cape_Verde"] = "Cape Verde Is.", ["Europe/Dublin"] = "Dublin", ["Europe/London"] = "Edinburgh",
        ["Europe/Lisbon"] = "Lisbon", ["Africa/Monrovia"] = "Monrovia", ["Etc/UTC"] = "UTC", ["UTC"] = "UTC",
        ["Europe/Amsterdam"] = "Amsterdam", ["Europe/Belgrade"] = "Belgrade", ["Europe/Berlin"] = "Berlin",
        ["Europe/Zurich"] = "Bern", ["Europe/Bratislava"] = "Bratislava", ["Europe/Brussels"] = "Brussels",
        ["Europe/Budapest"] = "Budapest", ["Africa/Casablanca"] = "Casablanca", ["Europe/Copenhagen"] = "Copenhagen",
        ["Europe/Ljubljana"] = "Ljubljana", ["Europe/Madrid"] = "Madrid", ["Europe/Paris"] = "Paris", ["Europe/Prague"] = "Prague",
        ["Europe/Rome"] = "Rome", ["Europe/Sarajevo"] = "Sarajevo", ["Europe/Skopje"] = "Skopje", ["Europe/Stockholm"] = "Stockholm",
        ["Europe/Vienna"] = "Vienna", ["Europe/Warsaw"] = "Warsaw", ["Africa/Algiers"] = "West Central Africa",
        ["Europe/Zagreb"] = "Zagreb", ["Europe/Athens"] = "Athens", ["Europe/Bucharest"] = "Bucharest", ["Africa/Cairo"] = "Cairo",
        ["Africa/Harare"] = "Harare", ["Europe/Helsinki"] = "Helsinki", ["Asia/Jerusalem"] = "Jerusalem",
        ["Europe/Kaliningrad"] = "Kaliningrad", ["Europe/Kiev"] = "Kyiv", ["Europe/Kyiv"] = "Kyiv", ["Africa/Johannesburg"] = "Pretoria",
        ["Europe/Riga"] = "Riga", ["Europe/Sofia"] = "Sofia", ["Europe/Tallinn"] = "Tallinn", ["Europe/Vilnius"] = "Vilnius",
        ["Asia/Baghdad"] = "Baghdad", ["Europe/Istanbul"] = "Istanbul", ["Asia/Kuwait"] = "Kuwait", ["Europe/Minsk"] = "Minsk",
        ["Europe/Moscow"] = "Moscow", ["Africa/Nairobi"] = "Nairobi", ["Asia/Riyadh"] = "Riyadh", ["Europe/Volgograd"] = "Volgograd",
        ["Asia/Tehran"] = "Tehran", ["Asia/Muscat"] = "Abu Dhabi", ["Asia/Baku"] = "Baku", ["Europe/Samara"] = "Samara",
        ["Asia/Tbilisi"] = "Tbilisi", ["Asia/Yerevan"] = "Yerevan", ["Asia/Kabul"] = "Kabul", ["Asia/Almaty"] = "Almaty",
        ["Asia/Yekaterinburg"] = "Ekaterinburg", ["Asia/Karachi"] = "Islamabad", ["Asia/Tashkent"] = "Tashkent",
        ["Asia/Kolkata"] = "Chennai", ["Asia/Colombo"] = "Sri Jayawardenepura", ["Asia/Kathmandu"] = "Kathmandu",
        ["Asia/Dhaka"] = "Astana", ["Asia/Urumqi"] = "Urumqi", ["Asia/Rangoon"] = "Rangoon", ["Asia/Bangkok"] = "Bangkok",
        ["Asia/Jakarta"] = "Jakarta", ["Asia/Krasnoyarsk"] = "Krasnoyarsk", ["Asia/Novosibirsk"] = "Novosibirsk",
        ["Asia/Shanghai"] = "Beijing", ["Asia/Chongqing"] = "Chongqing", ["Asia/Hong_Kong"] = "Hong Kong",
        ["Asia/Irkutsk"] = "Irkutsk", ["Asia/Kuala_Lumpur"] = "Kuala Lumpur", ["Australia/Perth"] = "Perth",
        ["Asia/Singapore"] = "Singapore", ["Asia/Taipei"] = "Taipei", ["Asia/Ulaanbaatar"] = "Ulaanbaatar",
        ["Asia/Tokyo"] = "Osaka", ["Asia/Seoul"] = "Seoul", ["Asia/Yakutsk"] = "Yakutsk", ["Australia/Adelaide"] = "Adelaide",
        ["Australia/Darwin"] = "Darwin", ["Australia/Brisbane"] = "Brisbane", ["Australia/Melbourne"] = "Canberra",
        ["Pacific/Guam"] = "Guam", ["Australia/Hobart"] = "Hobart", ["Pacific/Port_Moresby"] = "Port Moresby",
        ["Australia/Sydney"] = "Sydney", ["Asia/Vladivostok"] = "Vladivostok", ["Asia/Magadan"] = "Magadan",
        ["Pacific/Noumea"] = "New Caledonia", ["Pacific/Guadalcanal"] = "Solomon Is.", ["Asia/Srednekolymsk"] = "Srednekolymsk",
        ["Pacific/Auckland"] = "Auckland", ["Pacific/Fiji"] = "Fiji", ["Asia/Kamchatka"] = "Kamchatka",
        ["Pacific/Majuro"] = "Marshall Is.", ["Pacific/Chatham"] = "Chatham Is.", ["Pacific/Tongatapu"] = "Nuku'alofa",
        ["Pacific/Apia"] = "Samoa", ["Pacific/Fakaofo"] = "Tokelau Is.",
    };

    public static string For(string ianaId) => Names.TryGetValue(ianaId, out var name) ? name : ianaId;
}
