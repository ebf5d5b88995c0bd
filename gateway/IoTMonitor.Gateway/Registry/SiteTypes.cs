namespace IoTMonitor.Gateway.Registry;

/// <summary>
/// The one site-type vocabulary: what agencies enter with <c>PUT /api/v1/sites/{site}</c> (<c>type</c>),
/// what the alert rules' <c>scope.siteTypes</c> and the <c>Alerts:Sites:{id}:Type</c> override may name.
/// Listed in docs/api.md; adding a name is additive, renaming one is not (profiles and rules store it).
/// </summary>
public static class SiteTypes
{
    public const string River = "river";
    public const string Lake = "lake";
    public const string Reservoir = "reservoir";
    public const string Canal = "canal";
    public const string IrrigationDistrict = "irrigation_district";
    public const string DrinkingWaterSource = "drinking_water_source";
    public const string Wetland = "wetland";
    public const string Farmland = "farmland";
    public const string AirBasin = "air_basin";

    /// <summary>Indoor air: rooms, shelters, stations.</summary>
    public const string Indoor = "indoor";

    public static readonly IReadOnlyList<string> All =
    [
        River, Lake, Reservoir, Canal, IrrigationDistrict, DrinkingWaterSource, Wetland, Farmland, AirBasin, Indoor,
    ];

    /// <summary>Exact (case-sensitive) membership: the API stores the name as given.</summary>
    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);

    /// <summary>The message for an unknown name, listing the vocabulary.</summary>
    public static string Problem(string what) => $"{what} must be one of " + string.Join(", ", All);
}
