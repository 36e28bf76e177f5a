import type { z } from 'zod';
import type { EntityName } from '../../model/entities.js';
import type { Logger } from '../../log.js';

/**
 * A record as a connector yields it: the canonical OneRoster 1.2-superset record (the same shape
 * the CSV import builds: GUIDRefs as {sourcedId, type}, booleans as booleans, no
 * sourcedId/status/dateLastModified inside `data`), with its identity and status.
 */
export type PulledRecord = {
  sourcedId: string;
  status: 'active' | 'tobedeleted';
  /** The canonical record; for a tombstone only its identity matters (it may be partial or empty). */
  data: Record<string, unknown>;
  /** Set when the connector knows the record cannot be applied: it is skipped with this message. */
  problem?: string;
};

/** What a connector gets for one run: its connection's settings and opened credentials, a logger, a stop signal. */
export type ConnectorContext<Config = unknown, Credentials = unknown> = {
  connectionId: string;
  tenant: string;
  config: Config;
  credentials: Credentials;
  log: Logger;
  signal: AbortSignal;
  /** Shared by the pulls of one run (e.g. Clever sections read once for classes and enrollments). */
  runCache: Map<string, unknown>;
  /**
   * A note for the admin in the run's report, under an entity (e.g. "Clever shares no email for
   * 120 students: …"). Notes do not fail anything; repeated identical notes are kept once.
   */
  note(entity: EntityName, message: string): void;
};

/** The result of probing one entity in "Test connection". */
export type ProbeResult = { entity: EntityName; ok: boolean; message: string };

/**
 * A connector is thin: it knows one upstream's wire format and maps it to canonical records.
 * Retries, budgets, version fallback, paging and error wording come from connectors/core;
 * staging, diffing, applying and sweeping come from the sync engine.
 */
export interface Connector<Config = unknown, Credentials = unknown> {
  readonly provider: string;
  /** A human name for admins ("OneRoster API", "Clever"). */
  readonly label: string;
  /** Settings (zod): base URL, paths, options. Stored in clear in the connection. */
  readonly configSchema: z.ZodType<Config>;
  /** Secrets (zod): stored sealed with the server's key, opened only for a run. */
  readonly credentialsSchema: z.ZodType<Credentials>;
  /** The entities this connector can pull, in any order (the engine applies them in reference order). */
  readonly entities: readonly EntityName[];
  /** Whether `pull` honours `since` (deltas); without it every run is a full run. */
  readonly supportsDelta: boolean;
  /** Authenticates and probes each entity; never throws for an upstream failure, reports it. */
  test(ctx: ConnectorContext<Config, Credentials>): Promise<ProbeResult[]>;
  /**
   * Every record of an entity (full), or those changed upstream since `since` including deletions
   * as tobedeleted (delta), in batches. Throws a ConnectorError (connectors/core) when the pull
   * cannot complete; records already yielded are then not applied as a complete set.
   */
  pull(ctx: ConnectorContext<Config, Credentials>, entity: EntityName, opts: { since?: Date }): AsyncIterable<PulledRecord[]>;
}

/**
 * A connector that brings a whole OneRoster CSV package (a folder or zip: SFTP drops, local
 * folders). The engine imports it through the same path as `rollcall import` (manifest bulk/delta
 * modes, one transaction), with the connection as the records' source.
 */
export interface PackageConnector<Config = unknown, Credentials = unknown> {
  readonly provider: string;
  readonly label: string;
  readonly configSchema: z.ZodType<Config>;
  readonly credentialsSchema: z.ZodType<Credentials>;
  readonly kind: 'package';
  test(ctx: ConnectorContext<Config, Credentials>): Promise<ProbeResult[]>;
  /** Fetches the newest package to a local folder or zip; `cleanup` removes the local copy. */
  fetchPackage(ctx: ConnectorContext<Config, Credentials>): Promise<{ location: string; cleanup(): Promise<void> }>;
}

export type AnyConnector = (Connector<any, any> & { kind?: 'records' }) | PackageConnector<any, any>;
