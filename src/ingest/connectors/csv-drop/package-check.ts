import type { Readable } from 'node:stream';
import type { EntityName } from '../../../model/entities.js';
import { CSV_FILES } from '../../csv/files/index.js';
import { parseManifest } from '../../csv/manifest.js';
import { openCsvPackage } from '../../csv/package-source.js';
import type { Problem } from '../../csv/problems.js';
import type { ProbeResult } from '../types.js';
import { CsvDropError } from './errors.js';

/** What the manifest of a package promises, read before anything is imported. */
export type PackageSummary = { files: string[]; manifest: string | undefined };

/** Reads a stream to a string, giving up past `max` bytes (a manifest is tiny). */
export async function readSmall(stream: Readable, max = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > max) {
      stream.destroy();
      throw new Error(`larger than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The files and manifest of a local folder or zip; an admin-actionable error when it is not a readable package. */
export async function summarizeLocal(location: string, label: string): Promise<PackageSummary> {
  let pkg;
  try {
    pkg = await openCsvPackage(location);
  } catch (err) {
    throw new CsvDropError('invalid_input', `${label} is not a readable zip file: if the district's export is broken, ask them to send it again`, {
      technical: (err as Error).message,
    });
  }
  try {
    const manifest = pkg.files.includes('manifest.csv') ? await readSmall(await pkg.open('manifest.csv')) : undefined;
    return { files: pkg.files, manifest };
  } finally {
    pkg.close();
  }
}

/** Throws when the package cannot be imported as it is (no manifest): importing it would change nothing and say little. */
export function requireManifest(s: PackageSummary, label: string): void {
  if (s.manifest === undefined) {
    throw new CsvDropError(
      'invalid_input',
      `${label} has no manifest.csv, which says which files are bulk and which delta: ask the district to export a complete OneRoster CSV package`,
    );
  }
}

/**
 * One probe per entity the manifest declares (bulk or delta): ok when its files are in the
 * package. 1.2's roles.csv and userProfiles.csv count for users.
 */
export function probesFor(s: PackageSummary, label: string): ProbeResult[] {
  if (s.manifest === undefined) return [{ entity: 'orgs', ok: false, message: `${label} has no manifest.csv` }];
  const problems: Problem[] = [];
  const manifest = parseManifest(s.manifest, problems);
  const byEntity = new Map<EntityName, string[]>();
  const missing = new Map<EntityName, string[]>();
  for (const spec of CSV_FILES) {
    const mode = manifest.modes.get(spec.manifestKey);
    if (mode !== 'bulk' && mode !== 'delta') continue;
    if (!spec.versions.includes(manifest.version)) continue;
    const entity: EntityName = spec.target === 'roles' || spec.target === 'userProfiles' ? 'users' : spec.target;
    const list = s.files.includes(spec.file) ? byEntity : missing;
    list.set(entity, [...(list.get(entity) ?? []), `${spec.file} (${mode})`]);
    if (!byEntity.has(entity)) byEntity.set(entity, []);
  }
  const probes: ProbeResult[] = [];
  for (const [entity, files] of byEntity) {
    const gone = missing.get(entity);
    probes.push(
      gone
        ? { entity, ok: false, message: `the manifest of ${label} lists ${gone.join(', ')}, which the package does not hold` }
        : { entity, ok: true, message: `${files.join(', ')} in ${label}` },
    );
  }
  if (!probes.length) {
    const why = problems.length ? ` (manifest.csv: ${problems.map((p) => p.message).join('; ')})` : '';
    return [{ entity: 'orgs', ok: false, message: `the manifest of ${label} declares no rostering file as bulk or delta${why}` }];
  }
  return probes;
}
