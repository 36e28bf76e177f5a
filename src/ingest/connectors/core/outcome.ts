import { systemClock, type Clock } from './clock.js';
import { ConnectorError, type ConnectorErrorJson } from './connector-error.js';
import { Redactor } from './redact.js';

export type EntityStatus = 'complete' | 'failed' | 'skipped';
export type RunStatus = 'success' | 'partial' | 'failed';

export interface EntityCounts {
  /** Records read from the vendor. */
  fetched: number;
  /** Records the vendor sent that could not be used (each one in `problems`). */
  rejected: number;
}

/** A record-level problem: the entity went through, this record did not. */
export interface RecordProblem {
  id?: string;
  message: string;
}

export interface EntityOutcome {
  entity: string;
  status: EntityStatus;
  counts: EntityCounts;
  /** Why the entity failed (a failed entity has at least one). */
  errors: ConnectorErrorJson[];
  problems: RecordProblem[];
  /** Why it was skipped. */
  reason?: string;
}

export interface RunOutcome {
  connection: string;
  vendor: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string;
  entities: EntityOutcome[];
}

/**
 * A run is a `success` when no entity failed and no record was rejected, `failed` when entities
 * failed and none completed, and `partial` otherwise: users pulled but groups failed is partial.
 * Skipped entities (out of scope, or waiting on one that failed) count for neither side.
 */
export function deriveRunStatus(entities: readonly Pick<EntityOutcome, 'status' | 'counts'>[]): RunStatus {
  const failed = entities.some((e) => e.status === 'failed');
  const complete = entities.filter((e) => e.status === 'complete');
  if (failed) return complete.length > 0 ? 'partial' : 'failed';
  return complete.some((e) => e.counts.rejected > 0) ? 'partial' : 'success';
}

/** Counters a connector bumps while reading one entity. */
export interface EntityTally {
  fetched(n?: number): void;
  rejected(problem: RecordProblem): void;
}

/**
 * Builds a run's outcome entity by entity. `entity()` runs a reader and records it as complete, or
 * as failed with its error, and goes on: one entity's failure does not end the run.
 */
export class RunRecorder {
  private readonly entities: EntityOutcome[] = [];
  private readonly startedAt: string;

  constructor(private readonly who: { connection: string; vendor: string }, private readonly clock: Clock = systemClock) {
    this.startedAt = new Date(clock.now()).toISOString();
  }

  /** Runs `read` for `entity`; resolves true when it completed. */
  async entity(entity: string, read: (tally: EntityTally) => Promise<void>): Promise<boolean> {
    const outcome: EntityOutcome = { entity, status: 'complete', counts: { fetched: 0, rejected: 0 }, errors: [], problems: [] };
    const redactor = new Redactor();
    const tally: EntityTally = {
      fetched: (n = 1) => void (outcome.counts.fetched += n),
      rejected: (p) => {
        outcome.counts.rejected++;
        outcome.problems.push({ ...p, message: redactor.text(p.message) });
      },
    };
    try {
      await read(tally);
    } catch (err) {
      outcome.status = 'failed';
      outcome.errors.push(this.asError(entity, err).toJSON());
    }
    this.entities.push(outcome);
    return outcome.status === 'complete';
  }

  skip(entity: string, reason: string): void {
    this.entities.push({ entity, status: 'skipped', counts: { fetched: 0, rejected: 0 }, errors: [], problems: [], reason });
  }

  finish(): RunOutcome {
    return {
      ...this.who, status: deriveRunStatus(this.entities), startedAt: this.startedAt,
      finishedAt: new Date(this.clock.now()).toISOString(), entities: [...this.entities],
    };
  }

  private asError(entity: string, err: unknown): ConnectorError {
    if (err instanceof ConnectorError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ConnectorError({
      ...this.who, entity, attempts: 0, retryable: false, category: 'internal',
      adminMessage: `reading ${entity} failed inside Rollcall (report it with the technical detail)`,
      technical: { detail: message.slice(0, 500) },
    });
  }
}
