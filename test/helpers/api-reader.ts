import type { EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { clientWithToken, get, startApi, type ApiUnderTest } from './api-server.js';

/**
 * Reads what Rollcall's own OneRoster API serves (real HTTP, a real token, every page followed
 * through `Link`), so connector tests can check that the API serves exactly the upstream's records.
 */
export async function apiReader(db: Database) {
  const api: ApiUnderTest = await startApi(db);
  const tokens = new Map<string, string>();
  const token = async (tenant: string) => {
    if (!tokens.has(tenant)) tokens.set(tenant, (await clientWithToken(db, api, tenant)).token);
    return tokens.get(tenant)!;
  };
  /** Every record of a collection the API serves to a client of the tenant, optionally filtered. */
  const records = async (tenant: string, entity: EntityName, filter?: string): Promise<Array<{ sourcedId: string; status: string }>> => {
    const out: Array<{ sourcedId: string; status: string }> = [];
    let url: string | undefined = `${api.url}/ims/oneroster/rostering/v1p2/${entity}?limit=10000${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`;
    while (url) {
      const res = await get(url, await token(tenant));
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      out.push(...res.body[entity]);
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return out;
  };
  return {
    records,
    /** The sorted sourcedIds served, of one status (default active). */
    ids: async (tenant: string, entity: EntityName, status = 'active') =>
      (await records(tenant, entity, `status='${status}'`)).map((r) => r.sourcedId).sort(),
    close: () => api.close(),
  };
}
