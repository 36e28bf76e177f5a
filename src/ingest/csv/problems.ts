/** One thing wrong with an import, located as precisely as the input allows. */
export type Problem = {
  file: string;
  line?: number;
  column?: number;
  field?: string;
  value?: string;
  message: string;
  /** Warnings (an ignored file, say) are reported but do not make the import partial. */
  severity?: 'warning';
};

export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const what = p.field ? ` ${p.field}${p.value !== undefined ? `=${JSON.stringify(truncate(p.value))}` : ''}:` : '';
  return `${p.severity === 'warning' ? 'warning: ' : ''}${where}${what} ${p.message}`;
}

const truncate = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

/** Keeps the first `cap` problems in full and counts the rest. */
export class ProblemLog {
  readonly kept: Problem[] = [];
  notShown = 0;
  constructor(readonly cap: number) {}
  errors = 0;

  /** A log holding what `snapshot` (a log copied across threads) held. */
  static from(snapshot: Pick<ProblemLog, 'cap' | 'kept' | 'notShown' | 'errors'>): ProblemLog {
    const log = new ProblemLog(snapshot.cap);
    for (const p of snapshot.kept) log.kept.push(p);
    log.notShown = snapshot.notShown;
    log.errors = snapshot.errors;
    return log;
  }

  /** Where the log stands, to undo what a file added when the whole file is rejected. */
  mark(): { kept: number; notShown: number; errors: number } {
    return { kept: this.kept.length, notShown: this.notShown, errors: this.errors };
  }

  rewind(m: { kept: number; notShown: number; errors: number }): void {
    this.kept.length = m.kept;
    this.notShown = m.notShown;
    this.errors = m.errors;
  }

  add(p: Problem): void {
    if (p.severity !== 'warning') this.errors++;
    if (this.kept.length < this.cap) this.kept.push(p);
    else this.notShown++;
  }

  /** How many problems the log has seen, shown or not. */
  get count(): number {
    return this.kept.length + this.notShown;
  }

  /** Adds another log's problems after this one's, within this log's cap. */
  absorb(other: ProblemLog): void {
    for (const p of other.kept) this.add(p);
    this.notShown += other.notShown;
    this.errors += other.errors - other.kept.filter((p) => p.severity !== 'warning').length;
  }
}
