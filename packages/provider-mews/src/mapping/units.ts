import type { UnitSource } from '@brafa/core';
import type { Resource, ResourceCategory, ResourceCategoryAssignment } from '../client/schemas.js';

/** A localized MEWS text in a stable order of preference: English first, then any. */
export function pickText(texts: Record<string, string | null> | null | undefined): string | null {
  if (!texts) return null;
  const preferred = texts['en-US'] ?? texts['en-GB'] ?? Object.values(texts).find((v) => Boolean(v));
  return preferred ?? null;
}

/**
 * Resources of the configured services → units. `roomId` is the resource *category* id
 * (the room type, e.g. "Double room"): stable across renames and translations, unlike the
 * category's localized name. `unitName` is the resource `Name` (e.g. "101"), what staff and
 * lock assignments call the physical room. A resource in several categories of the service
 * takes the first by category `Ordering`, so each resource yields exactly one unit.
 */
export function toUnitSources(
  resources: Resource[],
  categories: ResourceCategory[],
  assignments: ResourceCategoryAssignment[],
): UnitSource[] {
  const activeCategories = new Map(categories.filter((c) => c.IsActive).map((c) => [c.Id, c]));
  const categoryOf = new Map<string, ResourceCategory>();
  for (const a of assignments) {
    if (!a.IsActive) continue;
    const category = activeCategories.get(a.CategoryId);
    if (!category) continue;
    const current = categoryOf.get(a.ResourceId);
    if (!current || (category.Ordering ?? 0) < (current.Ordering ?? 0))
      categoryOf.set(a.ResourceId, category);
  }
  const units: UnitSource[] = [];
  for (const resource of resources) {
    if (resource.IsActive === false) continue;
    const category = categoryOf.get(resource.Id);
    if (!category || !resource.Name.trim()) continue;
    units.push({
      resourceId: resource.Id,
      resourceName: resource.Name,
      roomId: category.Id,
      unitName: resource.Name,
    });
  }
  return units.sort((a, b) => a.unitName.localeCompare(b.unitName, 'en', { numeric: true }));
}
