import type { EntityName } from '../../../model/entities.js';
import { ORG_TYPES } from '../../../model/vocab.js';
import { adminMessage } from '../../sync/admin-message.js';
import { ConnectorError, totalCountHeader } from '../core/index.js';
import type { Connector, ProbeResult, PulledRecord } from '../types.js';
import { OneRosterApiConfig, OneRosterApiCredentials } from './config.js';
import { fillSchoolYears, needsOrgTypes, toPulledRecord, type OrgTypeOf } from './map.js';
import { oneRosterPages, pageRecords, type PagingStyle } from './paging.js';
import { session, type Ctx, type OneRosterApiDeps, type Session } from './session.js';

export type { OneRosterApiDeps } from './session.js';

const ENTITIES: readonly EntityName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'];

/** Collection path and envelope keys per entity (1.0/1.1 servers may only have /terms for sessions). */
const COLLECTION: Record<EntityName, { path: string; keys: string[] }> = {
  orgs: { path: 'orgs', keys: ['orgs'] },
  academicSessions: { path: 'academicSessions', keys: ['academicSessions'] },
  courses: { path: 'courses', keys: ['courses'] },
  classes: { path: 'classes', keys: ['classes'] },
  users: { path: 'users', keys: ['users'] },
  enrollments: { path: 'enrollments', keys: ['enrollments'] },
  demographics: { path: 'demographics', keys: ['demographics'] },
};
const TERMS = { path: 'terms', keys: ['academicSessions', 'terms'] };

const ORG_TYPES_KEY = 'oneroster-api:orgTypes';

const PAGING_NOTES: Partial<Record<PagingStyle, string>> = {
  'offset-ignored': 'the server sent the same page twice (it seems to ignore offset): the listing was ended there; check the server\'s paging',
  'foreign-link': 'the server\'s Link header points at another address than the base URL; pages were read by offset on the base URL instead (set the server\'s public URL)',
};

const isConnectorStatus = (err: unknown, status: number) => err instanceof ConnectorError && err.status === status;

/** The delta filter: records changed upstream since `since` (deletions come as tobedeleted). */
const deltaFilter = (since: Date) => `dateLastModified>'${since.toISOString()}'`;

/**
 * OneRoster REST servers (Infinite Campus, Librus, ClassLink, Aeries' OneRoster API, custom ones),
 * 1.0, 1.1 and 1.2, OAuth 2 client credentials or OAuth 1.0a: the SDS "source-oneroster" shape.
 * Every request goes through the connector core (retries, budget, version fallback, paging, errors);
 * this file only says what to read and how it maps.
 */
export function createOneRosterApiConnector(deps: OneRosterApiDeps = {}): Connector<OneRosterApiConfig, OneRosterApiCredentials> {
  /**
   * Every page of an entity's collection. On the first page only: /academicSessions answering 404
   * is read from /terms; a delta filter the server refuses is dropped (the delta then reads
   * everything, which is slower but as correct: a delta never sweeps); any other 404 makes the next
   * run probe the base paths again.
   */
  async function* pages(ctx: Ctx, s: Session, entity: EntityName, query: Record<string, string>): AsyncGenerator<unknown[]> {
    const listing = (c: { path: string; keys: string[] }, q: Record<string, string>) =>
      oneRosterPages({
        http: s.api, path: c.path, keys: c.keys, limit: s.config.pageSize, query: q, entity, signal: ctx.signal,
        onPaging: (how) => {
          const note = PAGING_NOTES[how];
          if (note) ctx.note(entity, note);
        },
      });
    let collection = entity === 'academicSessions' && s.sessionsViaTerms ? TERMS : COLLECTION[entity];
    let q = query;
    for (;;) {
      let first = true;
      try {
        for await (const page of listing(collection, q)) {
          first = false;
          yield page.items;
        }
        return;
      } catch (err) {
        if (!first || !(err instanceof ConnectorError)) throw err;
        if (err.status === 404 && collection === COLLECTION.academicSessions) {
          s.sessionsViaTerms = true;
          collection = TERMS;
          ctx.note('academicSessions', 'the server has no /academicSessions (404): sessions were read from /terms, as OneRoster 1.0 servers serve them');
          continue;
        }
        // The body too: the core reads no code from a 1.1 `{"statusInfoSet": […]}` error body.
        if (q.filter && (err.status === 400 || err.status === 422) && /filter/i.test(`${err.technical.vendorCode ?? ''} ${err.technical.vendorMessage ?? ''} ${err.technical.body ?? ''}`)) {
          q = {};
          const code = err.technical.vendorCode ?? /invalid_filter_field/i.exec(err.technical.body ?? '')?.[0];
          ctx.note(entity, `the server refused the delta filter ${query.filter} (${err.status}${code ? ` ${code}` : ''}): every record was read instead`);
          continue;
        }
        if (err.status === 404) await s.forgetVersion();
        throw err;
      }
    }
  }

  /**
   * Org types for 1.0/1.1 `administrator` users, from this run's full orgs pull when there is one,
   * else read once per run (a delta's orgs are only the changed ones).
   */
  function orgTypes(ctx: Ctx, s: Session): Promise<Map<string, string>> {
    const cached = ctx.runCache.get(ORG_TYPES_KEY) as Promise<Map<string, string>> | undefined;
    const readAll = async () => {
      const types = new Map<string, string>();
      for await (const items of pages(ctx, s, 'orgs', {})) for (const o of items) remember(types, o);
      return types;
    };
    const p = cached ? cached.catch(readAll) : readAll();
    p.catch(() => {});
    ctx.runCache.set(ORG_TYPES_KEY, p);
    return p;
  }

  return {
    provider: 'oneroster-api',
    label: 'OneRoster API',
    configSchema: OneRosterApiConfig,
    credentialsSchema: OneRosterApiCredentials,
    entities: ENTITIES,
    supportsDelta: true,

    async test(ctx: Ctx): Promise<ProbeResult[]> {
      let s: Session;
      try {
        s = await session(ctx, deps, true);
      } catch (err) {
        const message = adminMessage(err);
        return ENTITIES.map((entity) => ({ entity, ok: false, message }));
      }
      const where = `OneRoster ${s.version} at ${s.basePath || new URL(s.api.baseUrl!).pathname}`;
      const results: ProbeResult[] = [];
      for (const entity of ENTITIES) {
        const probe = async (c: { path: string; keys: string[] }) => {
          const res = await s.api.getJson(c.path, { query: { limit: 1 }, entity, signal: ctx.signal });
          pageRecords(c.keys)(res.data);
          const total = totalCountHeader(res);
          return `readable${total !== undefined ? ` (${total} records)` : ''} via /${c.path}, ${where}`;
        };
        try {
          let message: string;
          try {
            message = await probe(COLLECTION[entity]);
          } catch (err) {
            if (entity !== 'academicSessions' || !isConnectorStatus(err, 404)) throw err;
            message = await probe(TERMS);
          }
          results.push({ entity, ok: true, message });
        } catch (err) {
          const message = err instanceof ConnectorError || !(err instanceof Error) ? adminMessage(err) : `the answer for ${entity} is not a OneRoster collection (${err.message}): check the base URL`;
          results.push({ entity, ok: false, message });
        }
      }
      return results;
    },

    async *pull(ctx: Ctx, entity: EntityName, opts: { since?: Date }): AsyncGenerator<PulledRecord[]> {
      const s = await session(ctx, deps);
      const query: Record<string, string> = opts.since ? { filter: deltaFilter(opts.since) } : {};

      if (entity === 'academicSessions') {
        // Few records: gathered, so a missing 1.0 schoolYear can come from the parent school year.
        const all: PulledRecord[] = [];
        for await (const items of pages(ctx, s, entity, query)) for (const raw of items) all.push(toPulledRecord(entity, raw, noOrgTypes));
        fillSchoolYears(all);
        for (let i = 0; i < all.length; i += s.config.pageSize) yield all.slice(i, i + s.config.pageSize);
        return;
      }

      if (entity === 'orgs' && !opts.since && !ctx.runCache.has(ORG_TYPES_KEY)) {
        // A full orgs pull tells the users pull every org's type.
        const types = new Map<string, string>();
        let settle!: { resolve: (m: Map<string, string>) => void; reject: (e: unknown) => void };
        const done = new Promise<Map<string, string>>((resolve, reject) => (settle = { resolve, reject }));
        done.catch(() => {});
        ctx.runCache.set(ORG_TYPES_KEY, done);
        let complete = false;
        try {
          for await (const items of pages(ctx, s, entity, query)) {
            for (const o of items) remember(types, o);
            yield items.map((raw) => toPulledRecord(entity, raw, noOrgTypes));
          }
          complete = true;
        } finally {
          if (complete) settle.resolve(types);
          else settle.reject(new Error('the orgs pull did not complete'));
        }
        return;
      }

      let typeOf: OrgTypeOf | undefined;
      for await (const items of pages(ctx, s, entity, query)) {
        if (entity === 'users' && !typeOf && items.some(needsOrgTypes)) {
          const types = await orgTypes(ctx, s);
          typeOf = (id) => types.get(id);
        }
        yield items.map((raw) => toPulledRecord(entity, raw, typeOf ?? noOrgTypes));
      }
    },
  };
}

const noOrgTypes: OrgTypeOf = () => undefined;

function remember(types: Map<string, string>, o: unknown): void {
  if (typeof o !== 'object' || o === null) return;
  const { sourcedId, type } = o as { sourcedId?: unknown; type?: unknown };
  if (typeof sourcedId !== 'string' || typeof type !== 'string') return;
  const lower = type.trim().toLowerCase();
  types.set(sourcedId.trim(), ORG_TYPES.find((t) => t === lower) ?? type.trim());
}

/** The connector Rollcall ships (process-wide version memory and budgets). */
export const oneRosterApiConnector = createOneRosterApiConnector();
