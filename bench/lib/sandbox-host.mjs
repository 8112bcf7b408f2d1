// The sandbox in its own process (forked by remote-sandbox.mjs): the fake MEWS and TTLock
// clouds are "the vendors", so their CPU and memory must not count against the SDK being
// measured, and on a 2-core machine they get a core of their own, as a remote API would.
// Talks to the parent over Node's IPC channel: { id, op, args } → { id, ok, result | error }.
// BENCH_SANDBOX_MODULE loads the sandbox from another build (to measure a sandbox change first).
const { startSandbox } = await import(process.env.BENCH_SANDBOX_MODULE ?? '@brafa/sandbox');

import { configForSandbox } from '@brafa/cli';

let running;

const ops = {
  async start({ scenario, latency, database, concurrency, webhookToken }) {
    // A host may serve several runs one after the other (`restart`): a fresh world each time,
    // in a process whose code is already compiled, as a vendor's cloud always is.
    await running?.close();
    running = await startSandbox({ scenario, ...(latency ? { latency } : {}) });
    const config = configForSandbox(running, {
      database,
      concurrency,
      ...(webhookToken ? { webhookToken } : {}),
    });
    return { url: running.url, config, world: world() };
  },
  counts: () => running.sandbox.callLog.counts(),
  clearCalls: () => running.sandbox.callLog.clear(),
  /** Completion times of calls (ms since epoch) for one endpoint, to find the last door write. */
  callTimes: ({ vendor, endpoint }) => running.sandbox.calls({ vendor, endpoint }).map((c) => c.at),
  latency: ({ rules }) => running.sandbox.latency.set(rules),
  /** Apply scenario mutations (changeDates, moveRoom, cancel, add) in order; the ids added. */
  mutate({ changes }) {
    const s = running.sandbox.scenario;
    const added = [];
    for (const c of changes) {
      if (c.op === 'changeDates') s.changeDates(c.id, { arrival: c.arrival, departure: c.departure });
      else if (c.op === 'moveRoom') s.moveRoom(c.id, c.unit);
      else if (c.op === 'cancel') s.cancel(c.id);
      else if (c.op === 'add')
        added.push(
          s.addReservation(c.propertyId, { unit: c.unit, arrival: c.arrival, departure: c.departure }).id,
        );
      else throw new Error(`unknown mutation ${c.op}`);
    }
    return { added };
  },
  world: () => world(),
  verify: ({ propertyId, nowMs }) => verify(propertyId, nowMs),
  rss: () => process.resourceUsage().maxRSS / 1024,
  /** CPU seconds this process used (user + system). */
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
  async close() {
    await running?.close();
    setImmediate(() => process.exit(0));
  },
};

function world() {
  const s = running.sandbox.scenario;
  return {
    reservations: s.reservations().map((r) => ({
      id: r.id,
      propertyId: r.propertyId,
      unitName: r.unitName,
      arrival: r.arrival,
      departure: r.departure,
      state: r.state,
      startUtc: r.startUtc.getTime(),
      endUtc: r.endUtc.getTime(),
    })),
    units: s.units().map((u) => ({ propertyId: u.propertyId, unitName: u.unitName, lockId: u.lockId })),
    // Property-wide locks (an entrance every stay opens), as `lockId`s of the engine's events.
    entranceLockIds: s
      .locks()
      .filter((l) => l.propertyId !== null && l.unitName === null)
      .map((l) => String(l.lockId)),
    enterpriseIds: Object.fromEntries(
      s.world.properties.filter((p) => p.mews).map((p) => [p.id, p.mews.enterpriseId]),
    ),
  };
}

/**
 * Does the vendors' state match the reservations? Every confirmed, assigned, not yet ended
 * stay has exactly one code on its unit's lock and one on each property-wide lock (on the
 * device, with the stay's window, the same digits) and one active MEWS PIN token with those
 * digits; nothing else carries a `brafa:` code.
 */
function verify(propertyId, nowMs) {
  const s = running.sandbox.scenario;
  const inspect = running.sandbox.inspect;
  const lockOf = new Map(s.units(propertyId).map((u) => [u.unitName, u.lockId]));
  const entrances = s
    .locks(propertyId)
    .filter((l) => l.unitName === null)
    .map((l) => l.lockId);
  const codesByName = new Map();
  for (const lock of inspect.locks()) {
    for (const c of lock.codes) {
      if (!c.onDevice || !c.name?.startsWith('brafa:')) continue;
      const list = codesByName.get(c.name) ?? [];
      list.push({ ...c, lockId: lock.lockId });
      codesByName.set(c.name, list);
    }
  }
  const tokens = new Map();
  for (const t of inspect.mewsTokens({ propertyId })) {
    if (t.Type !== 'PinCode' || !t.IsActive) continue;
    tokens.set(t.ServiceOrderId, [...(tokens.get(t.ServiceOrderId) ?? []), t]);
  }
  const problems = [];
  let expected = 0;
  const wanted = new Set();
  for (const r of s.reservations(propertyId)) {
    const name = `brafa:${r.id}`;
    const live = r.state === 'Confirmed' && r.unitName !== null && r.endUtc.getTime() > nowMs;
    const codes = codesByName.get(name) ?? [];
    const toks = tokens.get(r.id) ?? [];
    if (!live) {
      if (codes.length) problems.push(`${r.id} (${r.state}) still has ${codes.length} code(s) on a lock`);
      if (toks.length) problems.push(`${r.id} (${r.state}) still has ${toks.length} MEWS token(s)`);
      continue;
    }
    expected++;
    wanted.add(name);
    const lockId = lockOf.get(r.unitName);
    const want = [lockId, ...entrances];
    const code = codes.find((c) => c.lockId === lockId);
    if (codes.length !== want.length || !want.every((id) => codes.some((c) => c.lockId === id)) || !code) {
      problems.push(`${r.id}: ${codes.length} code(s), want 1 on each of locks ${want.join(', ')}`);
      continue;
    }
    if (codes.some((c) => c.passcode !== code.passcode))
      problems.push(`${r.id}: its doors have different digits`);
    for (const c of codes)
      if (c.startDate?.getTime() !== r.startUtc.getTime() || c.endDate?.getTime() !== r.endUtc.getTime())
        problems.push(`${r.id}: code window on lock ${c.lockId} differs from the stay`);
    if (toks.length !== 1 || toks[0].Value !== code.passcode)
      problems.push(`${r.id}: ${toks.length} MEWS token(s), want 1 with the lock's digits`);
  }
  return { expected, problems: problems.length, examples: problems.slice(0, 5) };
}

process.on('message', async (message) => {
  const { id, op, args } = message;
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`sandbox host: unknown op ${op}`);
    process.send({ id, ok: true, result: (await fn(args ?? {})) ?? null });
  } catch (error) {
    process.send({ id, ok: false, error: error instanceof Error ? error.stack : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
