// Parent side of sandbox-host.mjs: start a sandbox in a child process and call it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./sandbox-host.mjs', import.meta.url));

/**
 * @param {{ scenario: object, latency?: object[], database: string, concurrency?: number }} spec
 * @returns the brafa config for it, the generated world and an RPC handle.
 */
export async function startRemoteSandbox(spec) {
  const child = fork(HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map();
  child.on('message', ({ id, ok, result, error }) => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    if (ok) w.resolve(result);
    else w.reject(new Error(error));
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`sandbox host exited (${code})`));
    waiting.clear();
  });
  const call = (op, args) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, args });
    });
  const started = await call('start', spec);
  return {
    ...started,
    call,
    /** A fresh world from `spec` in the same (warm) host process; its config, world and url. */
    restart: (next) => call('start', next),
    counts: () => call('counts'),
    clearCalls: () => call('clearCalls'),
    async close() {
      const rss = await call('rss');
      await call('close').catch(() => {});
      return { peakRssMb: rss };
    },
  };
}
