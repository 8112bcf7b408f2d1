// Worker thread: POST every body to `url` with at most `concurrency` requests in flight
// (loopback only, bounded in count), and report each acknowledgement's latency. Running in
// its own thread keeps the load loop's work off the service's event loop and clock.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, concurrency } = workerData;
const target = new URL(url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('loopback only');
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function post(body) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

const results = new Array(bodies.length);
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const i = next++;
      results[i] = await post(bodies[i]);
    }
  }),
);
const ms = performance.now() - t0;
agent.destroy();
parentPort.postMessage({ ms, results });
