import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FIXTURE_1P1 = path.resolve(import.meta.dirname, '../fixtures/oneroster-1p1');

/** Copies the 1.1 fixture into a temp folder, applying edits (file -> new content, or a function of the old). */
export function fixturePackage(edits: Record<string, string | Buffer | ((old: string) => string) | null> = {}, from = FIXTURE_1P1): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-pkg-'));
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  for (const [file, edit] of Object.entries(edits)) {
    const p = path.join(dir, file);
    if (edit === null) fs.rmSync(p, { force: true });
    else if (typeof edit === 'function') fs.writeFileSync(p, edit(fs.readFileSync(p, 'utf8')));
    else fs.writeFileSync(p, edit);
  }
  return dir;
}

/** A manifest declaring the given files with modes (everything else absent). */
export function manifest(modes: Record<string, 'bulk' | 'delta'>, version = '1.1'): string {
  const lines = ['propertyName,value', 'manifest.version,1.0', `oneroster.version,${version}`];
  for (const f of ['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'users', 'roles', 'userProfiles']) {
    lines.push(`file.${f},${modes[f] ?? 'absent'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The fixture reduced to the files named in `modes` (with a manifest saying so), then edited. */
export function packageWith(modes: Record<string, 'bulk' | 'delta'>, edits: Parameters<typeof fixturePackage>[0] = {}): string {
  const drop: Record<string, null> = {};
  for (const f of fs.readdirSync(FIXTURE_1P1)) {
    const entity = f.replace(/\.csv$/, '');
    if (f !== 'manifest.csv' && !(entity in modes)) drop[f] = null;
  }
  return fixturePackage({ ...drop, 'manifest.csv': manifest(modes), ...edits });
}
