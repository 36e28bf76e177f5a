// A fixed reference workload for the district benchmark, timed at the start and the end of a run,
// so that figures from different days (or a machine slowed by its neighbours during a run) can be
// told apart from changes in the code. Not a target, only a yardstick: lower is faster.
//   - node: JSON text of 20,000 roster-like records written and parsed again (the importer's and the
//     server's kind of work);
//   - postgres: 30,000 jsonb objects built and written out as text in one backend (the kind of work
//     of staging and rendering), with JIT off as the store runs.
// Each is the best of five runs, in milliseconds.
import pg from 'pg';

export type MachineSpeed = { nodeMs: number; postgresMs?: number };

const RUNS = 5;

const best = async (work: () => unknown | Promise<unknown>) => {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await work();
    min = Math.min(min, performance.now() - t);
  }
  return Math.round(min * 10) / 10;
};

function nodeWork(): number {
  const records = Array.from({ length: 20_000 }, (_, i) => ({
    sourcedId: `usr-stu-${String(i).padStart(7, '0')}`,
    status: 'active',
    givenName: `Given${i % 997}`,
    familyName: `Family${i % 991}`,
    roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: `org-school-${i % 100}`, type: 'org' } }],
    grades: ['05'],
  }));
  return (JSON.parse(JSON.stringify(records)) as unknown[]).length;
}

const POSTGRES_WORK = `select sum(length(x::text)) from (
  select jsonb_build_object('sourcedId', 'usr-' || g, 'givenName', md5(g::text), 'roles', jsonb_build_array(jsonb_build_object('role', 'student', 'org', g % 100))) as x
  from generate_series(1, 30000) g) s`;

/** The reference workload's times on this machine now; postgres left out when the database cannot be reached. */
export async function machineSpeed(databaseUrl: string): Promise<MachineSpeed> {
  const nodeMs = await best(nodeWork);
  try {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      await c.query('set jit = off');
      return { nodeMs, postgresMs: await best(() => c.query(POSTGRES_WORK)) };
    } finally {
      await c.end();
    }
  } catch {
    return { nodeMs };
  }
}

export const formatSpeed = (s: MachineSpeed | undefined) => (s ? `node ${s.nodeMs} ms, postgres ${s.postgresMs ?? '–'} ms` : 'not measured');
