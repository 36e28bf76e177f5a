import { parse } from 'csv-parse/sync';
import type { OneRosterVersion } from '../../model/vocab.js';
import type { Problem } from './problems.js';

export type FileMode = 'bulk' | 'delta' | 'absent';

export type Manifest = {
  version: OneRosterVersion;
  modes: Map<string, FileMode>;
  properties: Map<string, string>;
};

/** Reads manifest.csv (`propertyName,value`); problems name the line. */
export function parseManifest(text: string, problems: Problem[]): Manifest {
  const file = 'manifest.csv';
  const properties = new Map<string, string>();
  const modes = new Map<string, FileMode>();
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true });
  } catch (e) {
    problems.push({ file, message: `cannot be parsed as CSV: ${(e as Error).message}` });
    return { version: '1.1', modes, properties };
  }
  const [header, ...body] = rows;
  if (!header || header[0]?.trim() !== 'propertyName' || header[1]?.trim() !== 'value') {
    problems.push({ file, line: 1, message: 'header must be propertyName,value' });
  }
  body.forEach((row, i) => {
    const [key, value = ''] = row.map((c) => c.trim());
    properties.set(key, value);
    if (key.startsWith('file.')) {
      const mode = value.toLowerCase();
      if (mode === 'bulk' || mode === 'delta' || mode === 'absent') modes.set(key, mode);
      else problems.push({ file, line: i + 2, column: 2, field: key, value, message: 'must be bulk, delta or absent' });
    }
  });
  const declared = properties.get('oneroster.version') ?? '1.1';
  let version: OneRosterVersion = '1.1';
  if (declared.startsWith('1.2')) version = '1.2';
  else if (declared !== '1.1' && declared !== '1.0') {
    problems.push({ file, field: 'oneroster.version', value: declared, message: 'must be 1.1 or 1.2; reading as 1.1' });
  }
  return { version, modes, properties };
}
