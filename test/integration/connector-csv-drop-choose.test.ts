import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { choosePackage, globToRegExp, type DropEntry } from '../../src/ingest/connectors/csv-drop/choose.js';
import { CsvDropConfig, normalizeFingerprint } from '../../src/ingest/connectors/csv-drop/config.js';
import { scrub } from '../../src/ingest/connectors/csv-drop/errors.js';

const file = (name: string, mtime: number, size = 100): DropEntry => ({ name, kind: 'file', size, mtimeMs: mtime * 1000 });
const dir = (name: string, mtime: number): DropEntry => ({ name, kind: 'dir', size: 4096, mtimeMs: mtime * 1000 });
const pick = (first: DropEntry[], second = first, pattern?: string) => choosePackage(first, second, pattern, '/outbound on sftp.example.org');

describe('OneRoster CSV drop: which package a run takes', () => {
  test('the newest zip by modification time, then by name', () => {
    const c = pick([file('b.zip', 10), file('a.zip', 20), file('c.zip', 20), file('notes.txt', 99)]);
    assert.equal(c.kind === 'zip' && c.entry.name, 'c.zip');
  });

  test('the folder itself when it holds manifest.csv (and no pattern is set)', () => {
    const c = pick([file('manifest.csv', 1), file('users.csv', 1), file('old.zip', 5)]);
    assert.equal(c.kind, 'self');
    assert.deepEqual(c.kind === 'self' && c.csvFiles.map((f) => f.name), ['manifest.csv', 'users.csv']);
  });

  test('a folder whose CSV files are still changing is refused until they settle', () => {
    assert.throws(() => pick([file('manifest.csv', 1), file('users.csv', 1, 10)], [file('manifest.csv', 1), file('users.csv', 1, 20)]), /still being written \(users\.csv: its size changed from 10 to 20 bytes/);
  });

  test('uploads in progress are passed over: partial suffixes, hidden names, sizes or times that move', () => {
    const first = [file('2024-05-01.zip', 1), file('2024-05-02.zip.part', 9), file('.2024-05-03.zip', 9), file('2024-05-04.zip', 9, 100), file('2024-05-05.zip', 9)];
    const second = [file('2024-05-01.zip', 1), file('2024-05-02.zip.part', 9), file('.2024-05-03.zip', 9), file('2024-05-04.zip', 9, 200), file('2024-05-05.zip', 10)];
    const c = pick(first, second);
    assert.equal(c.kind === 'zip' && c.entry.name, '2024-05-01.zip');
    assert.deepEqual(c.skipped.map((s) => s.name).sort(), ['.2024-05-03.zip', '2024-05-02.zip.part', '2024-05-04.zip', '2024-05-05.zip']);
  });

  test('only uploads in progress: a retryable error naming them; nothing at all: where and what was looked for', () => {
    assert.throws(() => pick([file('x.zip.filepart', 1)]), /no OneRoster package \(\*\.zip or a folder with manifest\.csv\) is complete yet in \/outbound on sftp\.example\.org \(x\.zip\.filepart: an upload in progress/);
    assert.throws(() => pick([]), /no OneRoster package \(\*\.zip or a folder with manifest\.csv\) in \/outbound on sftp\.example\.org: check the path/);
    assert.throws(() => pick([file('a.zip', 1)], undefined, 'roster_*.zip'), /no OneRoster package matching "roster_\*\.zip" in \/outbound on sftp\.example\.org: check the path and the pattern/);
  });

  test('a pattern picks among matching zips and folders, case-insensitively', () => {
    const c = pick([file('Roster_1.zip', 1), dir('roster_2', 2), file('other.zip', 3)], undefined, 'roster_*');
    assert.equal(c.kind === 'dir' && c.entry.name, 'roster_2');
    assert.ok(globToRegExp('a?c.zip').test('ABC.ZIP'));
    assert.ok(!globToRegExp('a.zip').test('abzip'));
  });

  test('settings: sftp needs host and username; port defaults to 22; fingerprints in any pasted form', () => {
    assert.equal(CsvDropConfig.safeParse({ transport: 'sftp', path: '/out' }).success, false);
    const c = CsvDropConfig.parse({ transport: 'sftp', path: '/out', host: 'h', username: 'u', hostKeySha256: 'SHA256:' + 'a'.repeat(43) });
    assert.equal(c.port, 22);
    assert.equal(normalizeFingerprint('a'.repeat(43) + '='), 'SHA256:' + 'a'.repeat(43));
    assert.equal(CsvDropConfig.safeParse({ transport: 'folder', path: '/in', hostKeySha256: 'nope' }).success, false);
  });

  test('secrets are scrubbed from upstream text, line by line for keys', () => {
    const key = '-----BEGIN KEY-----\nABCDEFGHIJKLMNOP\n-----END KEY-----';
    assert.equal(scrub('pw=s3cret-pass and ABCDEFGHIJKLMNOP', ['s3cret-pass', key]), 'pw=[redacted] and [redacted]');
  });
});
