import { formatProblem, type Problem } from './problems.js';

export type FileOutcome = 'imported' | 'failed' | 'missing' | 'ignored';

export type FileReport = {
  file: string;
  mode: 'bulk' | 'delta';
  outcome: FileOutcome;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  tombstoned: number;
  skipped: number;
  problems: number;
  /** Set when a bulk file's deletions were held back by a safety threshold. */
  held?: { wouldTombstone: number; of: number };
};

export type ImportReport = {
  tenant: string;
  tenantCreated: boolean;
  source: string;
  package: string;
  version: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'succeeded' | 'partial' | 'failed';
  files: FileReport[];
  problems: Problem[];
  problemsNotShown: number;
};

export const emptyFile = (file: string, mode: 'bulk' | 'delta', outcome: FileOutcome): FileReport => ({
  file, mode, outcome, rows: 0, created: 0, updated: 0, unchanged: 0, tombstoned: 0, skipped: 0, problems: 0,
});

/** The human-readable report the CLI prints. */
export function formatReport(r: ImportReport): string {
  const out: string[] = [];
  if (r.tenantCreated) out.push(`Created tenant "${r.tenant}".`);
  out.push(`Import of ${r.package} into tenant "${r.tenant}" (OneRoster ${r.version} CSV, source "${r.source}"): ${r.outcome}, ${(r.durationMs / 1000).toFixed(1)} s`);
  const head = ['file', 'mode', 'outcome', 'rows', 'created', 'updated', 'unchanged', 'tombstoned', 'skipped'];
  const rows = r.files.map((f) => [f.file, f.mode, f.outcome, f.rows, f.created, f.updated, f.unchanged, f.tombstoned, f.skipped].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out.push('', line(head), ...rows.map(line));
  const total = r.problems.length + r.problemsNotShown;
  if (total) {
    out.push('', `${total} problem${total === 1 ? '' : 's'}:`);
    for (const p of r.problems) out.push(`  ${formatProblem(p)}`);
    if (r.problemsNotShown) out.push(`  … and ${r.problemsNotShown} more (the JSON report with --json lists the first ${r.problems.length})`);
  }
  return out.join('\n');
}
