import fs from 'node:fs';
import path from 'node:path';
import type { DropEntry } from './choose.js';
import { CsvDropError } from './errors.js';

/** The names in a local folder, as the chooser sees them. */
export function listLocal(dir: string): DropEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw localError(err, dir);
  }
  const out: DropEntry[] = [];
  for (const name of names) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(dir, name));
    } catch {
      continue; // removed between readdir and stat: an upload tool at work
    }
    out.push({ name, kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other', size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

/** What a local path is: a folder, a file, or an admin-actionable error. */
export function statLocal(p: string): fs.Stats {
  try {
    return fs.statSync(p);
  } catch (err) {
    throw localError(err, p);
  }
}

function localError(err: unknown, p: string): CsvDropError {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new CsvDropError('not_found', `the folder ${p} does not exist on the Rollcall server: check the path`);
  if (code === 'EACCES' || code === 'EPERM') return new CsvDropError('forbidden', `the Rollcall server may not read ${p}: give the user it runs as read access`);
  if (code === 'ENOTDIR') return new CsvDropError('invalid_input', `${p} is not a folder: set the path to the folder the district's export writes to`);
  return new CsvDropError('internal', `could not read ${p}`, { technical: (err as Error).message });
}
