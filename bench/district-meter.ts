// Who used the CPU during one step of the district benchmark: the whole machine (from /proc/stat),
// the Rollcall server process, the Postgres backends of its database and this benchmark process.
// The machine is shared, so "others" (machine busy minus ours) shows whether a step was disturbed.
import fs from 'node:fs';
import os from 'node:os';
import type { BackendCpu, RunningServer } from './district-server.js';

const TICK = 100;

function machineBusySeconds(): number {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
    void idle, void iowait;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / TICK;
  } catch {
    return NaN;
  }
}

export type StepCpu = {
  wallSeconds: number;
  /** CPU seconds used on the whole machine (all processes), and the cores × wall time available. */
  machineBusySeconds: number;
  machineCapacitySeconds: number;
  serverSeconds?: number;
  postgresBackendSeconds?: number;
  benchClientSeconds: number;
  /** Child processes of the step that report their own CPU (the importer). */
  childSeconds?: number;
  /** Machine busy minus everything above: other people's work on the shared machine. */
  othersSeconds: number;
  /** The server's resident set at the end of the step and its peak so far (MB). */
  serverRssMb?: { now: number; peak: number };
  loadAverage1m: { start: number; end: number };
};

export async function meter(server: RunningServer | undefined, backends: BackendCpu | undefined) {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const server0 = server?.cpuSeconds();
  // Backends are sampled every second, so one that comes and goes within the step (an importer's) still counts.
  const seen = new Map<number, { first: number; last: number }>();
  const sample = async () => {
    if (!backends) return;
    for (const [pid, s] of await backends.read()) {
      const e = seen.get(pid);
      if (e) e.last = s;
      else seen.set(pid, { first: started ? 0 : s, last: s });
    }
  };
  let started = false;
  await sample();
  started = true;
  const timer = backends ? setInterval(() => void sample().catch(() => {}), 1000) : undefined;
  const own0 = process.cpuUsage();
  const load0 = os.loadavg()[0];
  return {
    async end(childSeconds?: number): Promise<StepCpu> {
      const wallSeconds = (performance.now() - t0) / 1000;
      const own = process.cpuUsage(own0);
      const benchClientSeconds = (own.user + own.system) / 1e6;
      const serverSeconds = server && server0 !== undefined ? server.cpuSeconds() - server0 : undefined;
      clearInterval(timer);
      await sample();
      const postgresBackendSeconds = backends ? +[...seen.values()].reduce((n, e) => n + e.last - e.first, 0).toFixed(2) : undefined;
      const machineBusy = machineBusySeconds() - busy0;
      const ours = benchClientSeconds + (serverSeconds ?? 0) + (postgresBackendSeconds ?? 0) + (childSeconds ?? 0);
      const r = (x: number) => +x.toFixed(2);
      return {
        wallSeconds: r(wallSeconds),
        machineBusySeconds: r(machineBusy),
        machineCapacitySeconds: r(wallSeconds * os.cpus().length),
        serverSeconds: serverSeconds === undefined ? undefined : r(serverSeconds),
        postgresBackendSeconds,
        benchClientSeconds: r(benchClientSeconds),
        childSeconds: childSeconds === undefined ? undefined : r(childSeconds),
        othersSeconds: r(Math.max(0, machineBusy - ours)),
        serverRssMb: server ? { now: server.rssMb(), peak: server.peakRssMb() } : undefined,
        loadAverage1m: { start: +load0.toFixed(2), end: +os.loadavg()[0].toFixed(2) },
      };
    },
  };
}
