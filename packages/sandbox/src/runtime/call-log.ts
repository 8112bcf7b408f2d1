import type { Vendor } from '../world/types.js';
import type { FaultKind } from './faults.js';

export interface CallLogEntry {
  seq: number;
  vendor: Vendor;
  endpoint: string;
  method: string;
  /** Sandbox clock time the call arrived (ISO). */
  at: string;
  /** HTTP status sent, or 0 when the connection was dropped (timeout / lost response). */
  status: number;
  /** Sciener errcode in the body, when non-zero. */
  errcode: number | null;
  /** Injected fault, if any. */
  fault: FaultKind | null;
  /** Simulated latency applied. */
  latencyMs: number;
}

/** Every request the sandbox answered, in arrival order. */
export class CallLog {
  private entries: CallLogEntry[] = [];
  private seq = 0;

  record(entry: Omit<CallLogEntry, 'seq'>): CallLogEntry {
    this.seq += 1;
    const full = { seq: this.seq, ...entry };
    this.entries.push(full);
    return full;
  }

  list(filter: { vendor?: Vendor; endpoint?: string } = {}): CallLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.vendor === undefined || e.vendor === filter.vendor) &&
        (filter.endpoint === undefined || e.endpoint === filter.endpoint),
    );
  }

  /** Calls per `vendor endpoint`, for summaries. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) {
      const key = `${e.vendor} ${e.endpoint}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }
}
