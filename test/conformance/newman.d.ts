// The part of newman's programmatic API that test/conformance/run.ts uses (newman ships no types,
// and @types/newman is not a dependency).
declare module 'newman' {
  import type { EventEmitter } from 'node:events';

  export type NewmanItem = { id: string; name: string; parent(): { name?: string } | undefined };
  export type NewmanResponse = { code: number; status: string; stream?: Buffer; headers: { get(name: string): string | undefined } };
  export type NewmanFailure = {
    error: { name: string; message: string; test?: string };
    at?: string;
    source?: NewmanItem;
    parent?: { name?: string };
  };
  type Stat = { total: number; failed: number; pending?: number };
  export type NewmanSummary = {
    run: {
      stats: { requests: Stat; assertions: Stat; testScripts: Stat; prerequestScripts: Stat; items: Stat };
      failures: NewmanFailure[];
      error?: Error;
    };
  };
  export type NewmanRunOptions = {
    collection: string | object;
    environment?: string | object;
    reporters?: string | string[];
    timeoutRequest?: number;
    timeoutScript?: number;
    bail?: boolean;
  };
  const newman: {
    run(options: NewmanRunOptions, callback: (err: Error | null, summary: NewmanSummary) => void): EventEmitter;
  };
  export default newman;
}
