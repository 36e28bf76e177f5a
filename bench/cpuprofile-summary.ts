// Summarizes a V8 .cpuprofile (e.g. the server's, from npm run bench -- --cpu-prof): self time per
// file or package and per function, and total time under chosen functions.
//   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [top=25] [--after <url part>]
// With --after, samples before the first one whose stack has a frame from a file matching <url part>
// are left out (e.g. --after src/api/oneroster/handlers.ts: from the first API request on, without start-up).
import fs from 'node:fs';
import { parseArgs } from 'node:util';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] };
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

const { positionals, values } = parseArgs({ allowPositionals: true, options: { after: { type: 'string' } } });
const [file, topArg] = positionals;
const top = Number(topArg ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const inStack = (id: number, test: (n: Node) => boolean) => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (test(byId.get(cur)!)) return true;
  return false;
};
let first = 0;
if (values.after) {
  first = prof.samples.findIndex((id) => inStack(id, (n) => n.callFrame.url.includes(values.after!)));
  if (first < 0) throw new Error(`no sample has a frame from ${values.after}`);
}
// Self time per node from the samples and their time deltas (µs).
const self = new Map<number, number>();
for (let i = first; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return '(native / V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url;
}

const byFile = new Map<string, number>();
const byFn = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const w = where(n.callFrame.url);
  byFile.set(w, (byFile.get(w) ?? 0) + us);
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${w}:${n.callFrame.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1)}%`;
const table = (m: Map<string, number>) =>
  [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ where: k, 'self ms': Math.round(us / 1000), share: pct(us) }));

console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s sampled${values.after ? ` from the first sample in ${values.after}` : ''} (profile wall ${((prof.endTime - prof.startTime) / 1e6).toFixed(2)} s)`);
console.log('\nself time by file or package');
console.table(table(byFile));
console.log('\nself time by function');
console.table(table(byFn));

// Inclusive time under frames whose function or file matches a few markers.
const markers: Record<string, (n: Node) => boolean> = {
  'serializers (src/api/serialize)': (n) => n.callFrame.url.includes('/src/api/serialize/'),
  'maskRecord / finish': (n) => ['maskRecord', 'finish'].includes(n.callFrame.functionName),
  'pg result parsing (pg, pg-protocol, pg-types)': (n) => /node_modules\/pg(-protocol|-types)?\//.test(n.callFrame.url),
  'knex': (n) => n.callFrame.url.includes('node_modules/knex/'),
  'express json (res.json)': (n) => n.callFrame.functionName === 'json' && n.callFrame.url.includes('express'),
  'JSON.stringify': (n) => n.callFrame.functionName === 'stringify' && !n.callFrame.url,
  'JSON.parse': (n) => n.callFrame.functionName === 'parse' && !n.callFrame.url,
  'openapi request validator': (n) => n.callFrame.url.includes('express-openapi-validator') || n.callFrame.url.includes('/ajv/'),
  'garbage collector': (n) => n.callFrame.functionName === '(garbage collector)',
  'idle': (n) => n.callFrame.functionName === '(idle)',
};
const inclusive: Record<string, number> = {};
for (const [id, us] of self) {
  const hit = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    for (const [name, test] of Object.entries(markers)) if (test(n)) hit.add(name);
  }
  for (const name of hit) inclusive[name] = (inclusive[name] ?? 0) + us;
}
console.log('\ninclusive time under');
console.table(Object.entries(inclusive).sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ under: k, ms: Math.round(us / 1000), share: pct(us) })));
