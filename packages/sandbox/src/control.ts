import { z } from 'zod';
import { faultKinds } from './runtime/faults.js';
import type { Sandbox } from './sandbox.js';
import { jsonReply, type SandboxReply, toResponse } from './util/http.js';
import { serviceOrderStates } from './vendors/mews/schemas.js';
import type { SandboxRequest } from './vendors/types.js';
import { vendors } from './world/types.js';

const vendorOrAll = z.union([z.enum(vendors as [string, ...string[]]), z.literal('*')]);

const faultRule = z.object({
  vendor: vendorOrAll,
  endpoint: z.string().optional(),
  rates: z.partialRecord(z.enum(faultKinds as [string, ...string[]]), z.number().min(0).max(1)),
  times: z.number().int().min(0).optional(),
  errcodes: z.array(z.number().int()).min(1).optional(),
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  timeoutMs: z.number().min(0).optional(),
  lostAs: z.enum(['timeout', 'serverError']).optional(),
});

const latencyRule = z.object({
  vendor: vendorOrAll,
  endpoint: z.string().optional(),
  ms: z.union([z.number().min(0), z.tuple([z.number().min(0), z.number().min(0)])]),
});

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const mutation = z.discriminatedUnion('op', [
  z.object({ op: z.literal('changeDates'), reservationId: z.string(), arrival: date, departure: date }),
  z.object({ op: z.literal('moveRoom'), reservationId: z.string(), unit: z.string().nullable() }),
  z.object({ op: z.literal('cancel'), reservationId: z.string() }),
  z.object({ op: z.literal('setState'), reservationId: z.string(), state: z.enum(serviceOrderStates) }),
]);

/**
 * Out-of-process control (`/_sandbox/*` on the loopback server): read state and calls, set faults
 * and latency, mutate reservations. Not a vendor API; it exists for CLI and example tests.
 */
export async function handleControl(
  sandbox: Sandbox,
  request: SandboxRequest,
  path: string,
): Promise<Response> {
  return toResponse(await controlReply(sandbox, request, path));
}

/** `handleControl`'s answer as plain data (what the loopback server writes). */
export async function controlReply(
  sandbox: Sandbox,
  request: SandboxRequest,
  path: string,
): Promise<SandboxReply> {
  const key = `${request.method} ${path}`;
  const body = async <S extends z.ZodType>(schema: S): Promise<z.output<S>> =>
    schema.parse(JSON.parse(await request.text()));
  try {
    switch (key) {
      case 'GET /_sandbox/state':
        return jsonReply(sandbox.state());
      case 'GET /_sandbox/calls':
        return jsonReply(sandbox.calls());
      case 'DELETE /_sandbox/calls':
        sandbox.callLog.clear();
        return jsonReply({ ok: true });
      case 'GET /_sandbox/credentials':
        return jsonReply(sandbox.credentials());
      case 'POST /_sandbox/faults': {
        const { rules } = await body(z.object({ rules: z.array(faultRule) }));
        sandbox.faults.set(rules as Parameters<Sandbox['faults']['set']>[0]);
        return jsonReply({ ok: true, rules: sandbox.faults.list() });
      }
      case 'DELETE /_sandbox/faults':
        sandbox.faults.clear();
        return jsonReply({ ok: true });
      case 'POST /_sandbox/latency': {
        const { rules } = await body(z.object({ rules: z.array(latencyRule) }));
        sandbox.latency.set(rules as Parameters<Sandbox['latency']['set']>[0]);
        return jsonReply({ ok: true });
      }
      case 'POST /_sandbox/mutate': {
        const m = await body(mutation);
        const s = sandbox.scenario;
        const result =
          m.op === 'changeDates'
            ? s.changeDates(m.reservationId, { arrival: m.arrival, departure: m.departure })
            : m.op === 'moveRoom'
              ? s.moveRoom(m.reservationId, m.unit)
              : m.op === 'cancel'
                ? s.cancel(m.reservationId)
                : s.setState(m.reservationId, m.state);
        return jsonReply({
          ok: true,
          reservation: {
            id: result.id,
            unitName: result.unitName,
            arrival: result.arrival,
            departure: result.departure,
            state: result.state,
          },
        });
      }
      default:
        return jsonReply({ error: `no control route ${key}` }, 404);
    }
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? z.prettifyError(error)
        : error instanceof Error
          ? error.message
          : String(error);
    return jsonReply({ error: message }, 400);
  }
}
