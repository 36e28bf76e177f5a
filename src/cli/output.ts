import { InvalidArgumentError } from 'commander';

/** Small output and argument helpers shared by the `clients` and `admins` commands. */

export const commaList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function onOff(v: string): boolean {
  if (v !== 'on' && v !== 'off') throw new InvalidArgumentError('expected on or off');
  return v === 'on';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A credential printed once, with the reminder that it is not shown again. */
export function secretBlock(title: string, id: string, secret: string, extra: string[] = [], idLabel = 'client id', secretLabel = 'client secret'): void {
  const lines = [title, `  ${idLabel.padEnd(16)}${id}`, `  ${secretLabel.padEnd(16)}${secret}`, ...extra.map((l) => `  ${l}`)];
  lines.push('  (the secret is shown only now; it is stored hashed and cannot be shown again)');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
