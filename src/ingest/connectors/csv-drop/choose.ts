import { CsvDropError } from './errors.js';

/** One name in a drop folder, local or remote. */
export type DropEntry = { name: string; kind: 'file' | 'dir' | 'other'; size: number; mtimeMs: number };

/** A name that was not taken, and why (logged, and named in errors). */
export type Skipped = { name: string; reason: string };

/** What to take from a drop folder: the folder itself (it holds manifest.csv), or one zip or sub-folder in it. */
export type Choice =
  | { kind: 'self'; csvFiles: DropEntry[]; skipped: Skipped[] }
  | { kind: 'zip' | 'dir'; entry: DropEntry; skipped: Skipped[] };

/** How uploaders mark a file they are still writing. */
const PARTIAL_SUFFIX = /\.(part|partial|tmp|filepart|crdownload)$/i;

/** A glob over one name (`*`, `?`), case-insensitive, to a RegExp. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const isCsv = (e: DropEntry) => e.kind === 'file' && /\.csv$/i.test(e.name);
const isManifest = (e: DropEntry) => e.kind === 'file' && e.name.toLowerCase() === 'manifest.csv';

/** Why `now` (the second look) differs from `before` (the first), or undefined when it is the same. */
function changed(before: DropEntry, now: DropEntry | undefined): string | undefined {
  if (!now) return 'it disappeared while the folder was read';
  if (before.kind === 'file' && now.size !== before.size) return `its size changed from ${before.size} to ${now.size} bytes within a second`;
  if (now.mtimeMs !== before.mtimeMs) return 'it was modified within a second';
  return undefined;
}

const newestFirst = (a: DropEntry, b: DropEntry) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);

/**
 * Picks the package to import from two listings of the same folder taken a moment apart: the
 * folder itself when it holds manifest.csv (and no pattern was given), else the newest zip (or,
 * with a pattern, the newest matching zip or folder) by modification time, then by name. Names an
 * uploader is still writing (a `.part`-like suffix, a leading dot, or a size or time that moved
 * between the listings) are passed over in favour of the newest complete one.
 * `where` names the folder in errors ("/outbound on sftp.example.org:22").
 */
export function choosePackage(first: DropEntry[], second: DropEntry[], pattern: string | undefined, where: string): Choice {
  const again = new Map(second.map((e) => [e.name, e]));
  const skipped: Skipped[] = [];

  if (!pattern && first.some(isManifest)) {
    const csvFiles = first.filter(isCsv);
    for (const f of csvFiles) {
      const why = changed(f, again.get(f.name));
      if (why) {
        throw new CsvDropError('conflict', `the package in ${where} is still being written (${f.name}: ${why}): the next run will try again`, { retryable: true });
      }
    }
    return { kind: 'self', csvFiles, skipped };
  }

  const match = globToRegExp(pattern ?? '*.zip');
  const complete: DropEntry[] = [];
  for (const e of first) {
    if (!match.test(e.name)) continue;
    if (e.kind === 'other' || (e.kind === 'dir' && !pattern)) continue;
    if (e.kind === 'file' && !/\.zip$/i.test(e.name)) {
      if (PARTIAL_SUFFIX.test(e.name)) skipped.push({ name: e.name, reason: 'an upload in progress (its name ends in a partial-upload suffix)' });
      else skipped.push({ name: e.name, reason: 'not a zip file' });
      continue;
    }
    if (e.name.startsWith('.')) {
      skipped.push({ name: e.name, reason: 'a hidden file, which uploaders use while writing' });
      continue;
    }
    const why = changed(e, again.get(e.name));
    if (why) skipped.push({ name: e.name, reason: `still being uploaded: ${why}` });
    else complete.push(e);
  }
  for (const e of first) {
    if (!match.test(e.name) && PARTIAL_SUFFIX.test(e.name) && match.test(e.name.replace(PARTIAL_SUFFIX, ''))) {
      skipped.push({ name: e.name, reason: 'an upload in progress (its name ends in a partial-upload suffix)' });
    }
  }

  complete.sort(newestFirst);
  const entry = complete[0];
  if (entry) return { kind: entry.kind === 'dir' ? 'dir' : 'zip', entry, skipped };

  const what = pattern ? `no OneRoster package matching "${pattern}"` : 'no OneRoster package (*.zip or a folder with manifest.csv)';
  const uploading = skipped.filter((s) => s.reason.startsWith('still being uploaded') || s.reason.startsWith('an upload in progress'));
  if (uploading.length) {
    const list = uploading.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new CsvDropError('conflict', `${what} is complete yet in ${where} (${list}): the next run will try again once the upload has finished`, { retryable: true });
  }
  throw new CsvDropError('not_found', `${what} in ${where}: check the path${pattern ? ' and the pattern' : ''}, and that the district's export has run`, { retryable: true });
}
