using Loki.Learning.Web.Features.Meetings;

namespace Loki.Learning.Web.Features.Materials;

/// A course's materials: a section of the course page (contributed like scores and recordings, so courses do not point
/// at materials) and the folder their files live in.
public static class MaterialsHosting
{
    /// <paramref name="folder"/>: configuration <c>Materials:Path</c>, else "materials" beside the SQLite file. The first
    /// registration wins, so a host that configured a folder keeps it.
    public static IServiceCollection AddLokiMaterials(this IServiceCollection services, string folder)
    {
        if (services.Any(d => d.ServiceType == typeof(MaterialStorage)))
        {
            return services;
        }
        services.AddSingleton(new MaterialStorage(folder));
        services.AddSingleton(new OwnerSection(typeof(MaterialsSection), Order: 5));
        return services;
    }
}
