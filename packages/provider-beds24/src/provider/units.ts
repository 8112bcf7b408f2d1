import type { UnitSource } from '@brafa/core';
import { z } from 'zod';
import type { Beds24Client } from '../client/client.js';
import { resourceIdOf } from './mapping.js';

const propertiesSchema = z.object({
  data: z.array(
    z.object({
      id: z.number().int(),
      roomTypes: z
        .array(
          z.object({
            id: z.number().int(),
            name: z.string().nullable().optional(),
            units: z
              .array(
                z.object({
                  id: z.number().int().positive().optional(),
                  name: z.string().nullable().optional(),
                }),
              )
              .optional(),
          }),
        )
        .optional(),
    }),
  ),
});

/**
 * Units of the property from `GET /properties` (room types and their units). The unit is
 * `(roomId, unitId)` exactly as bookings name it; names only label it for operators.
 */
export async function listBeds24Units(client: Beds24Client, beds24PropertyId: number): Promise<UnitSource[]> {
  const body = await client.get('/properties', {
    id: [beds24PropertyId],
    includeAllRooms: true,
    includeUnitDetails: true,
  });
  const parsed = propertiesSchema.safeParse(body);
  if (!parsed.success) return [];
  const out: UnitSource[] = [];
  for (const property of parsed.data.data) {
    if (property.id !== beds24PropertyId) continue;
    for (const room of property.roomTypes ?? []) {
      for (const unit of room.units ?? []) {
        if (unit.id === undefined) continue;
        const label = [room.name, unit.name].filter(Boolean).join(' / ');
        out.push({
          resourceId: resourceIdOf(room.id, unit.id),
          resourceName: label || null,
          roomId: String(room.id),
          unitName: String(unit.id),
        });
      }
    }
  }
  return out;
}
