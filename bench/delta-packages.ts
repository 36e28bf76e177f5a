import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const MANIFEST = (modes: Record<string, string>) =>
  ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1',
    ...['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'users'].map((f) => `file.${f},${modes[f] ?? 'absent'}`)].join('\n') + '\n';

/** Changes every 100th user (a new middle name) so the delta and the bulk set agree on it. */
const changeUser = (line: string) => {
  const cells = line.split(',');
  cells[10] = 'Delta'; // middleName, in a 1.1 users.csv without quoted cells before it
  return cells.join(',');
};

async function* lines(file: string) {
  yield* readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
}

/**
 * From a generated district: a delta package naming 1% of users (changed) and 1% of enrollments
 * (tobedeleted), and a bulk users file equal to the post-delta users minus one.
 */
export async function deltaPackages(dir: string): Promise<{ delta: string; bulkMinusOne: string; named: number }> {
  const delta = `${dir}-delta`;
  const bulkMinusOne = `${dir}-bulk-minus-one`;
  fs.mkdirSync(delta, { recursive: true });
  fs.mkdirSync(bulkMinusOne, { recursive: true });
  fs.writeFileSync(path.join(delta, 'manifest.csv'), MANIFEST({ users: 'delta', enrollments: 'delta' }));
  fs.writeFileSync(path.join(bulkMinusOne, 'manifest.csv'), MANIFEST({ users: 'bulk' }));
  let named = 0;
  const du: string[] = [];
  const bu: string[] = [];
  let i = 0;
  for await (const line of lines(path.join(dir, 'users.csv'))) {
    if (!line) continue;
    if (i === 0) du.push(line), bu.push(line);
    else if (i % 100 === 0 && !line.includes('"')) {
      du.push(changeUser(line));
      bu.push(changeUser(line));
      named++;
    } else if (i !== 1) bu.push(line); // the first user is the one missing from the bulk set
    i++;
  }
  fs.writeFileSync(path.join(delta, 'users.csv'), du.join('\n') + '\n');
  fs.writeFileSync(path.join(bulkMinusOne, 'users.csv'), bu.join('\n') + '\n');
  const de: string[] = [];
  i = 0;
  for await (const line of lines(path.join(dir, 'enrollments.csv'))) {
    if (!line) continue;
    if (i === 0) de.push(line);
    else if (i % 100 === 0) {
      const cells = line.split(',');
      cells[1] = 'tobedeleted';
      de.push(cells.join(','));
      named++;
    }
    i++;
  }
  fs.writeFileSync(path.join(delta, 'enrollments.csv'), de.join('\n') + '\n');
  return { delta, bulkMinusOne, named };
}
