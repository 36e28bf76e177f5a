import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { RollcallError } from '../../errors.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import { readCollectionParams, readFields, type QueryWarning, type RawQuery } from '../../query/collection-params.js';
import type { Pager } from '../../query/pager.js';
import { collectionBody, singleBody } from '../render/page-body.js';
import { renderRecordSql } from '../render/render-sql.js';
import type { Principal } from '../auth/principal.js';
import { requireScope } from '../auth/scopes.js';
import type { Endpoint } from './endpoints.js';
import { findRecord, findRendered } from './find-record.js';
import { linkHeader } from './links.js';
import { hiddenFields, sharingConditions, visibleOrgs } from './sharing-scope.js';
import { warningInfo } from './status-info.js';

export const BASE_PATH: Record<OneRosterVersion, string> = { '1.1': '/ims/oneroster/v1p1', '1.2': '/ims/oneroster/rostering/v1p2' };

export type HandlerDeps = { knex: Knex; pager: Pager; publicUrl?: string };

const origin = (req: Request, publicUrl?: string) => publicUrl ?? `${req.protocol}://${req.get('host')}`;

/** Checks shared by both kinds of endpoint: the scope, and demographics being shared at all. */
function admit(ep: Endpoint, version: OneRosterVersion, p: Principal): void {
  requireScope(p.scopes, ep.scope, version);
  if (ep.entity === 'demographics' && !p.sharing.demographics) {
    throw new RollcallError('forbidden', 'Demographics are not shared with this client; the district can turn them on in its sharing settings');
  }
}

/** The SQL that renders each record as this client may see it: version JSON, the sharing mask, then `fields`. */
async function renderFor(deps: HandlerDeps, ep: Endpoint, version: OneRosterVersion, p: Principal, req: Request, fields?: string[]) {
  const baseUrl = `${origin(req, deps.publicUrl)}${BASE_PATH[version]}`;
  const orgs = ep.entity === 'users' ? await visibleOrgs(deps.knex, p.sharing, p.tenant) : undefined;
  return renderRecordSql(ep.entity, version, { baseUrl, fields, sharing: p.sharing, visibleOrgs: orgs });
}

/** Sends JSON that the database rendered, as text or as its UTF-8 bytes. */
const sendJson = (res: Response, body: string | Buffer) => res.type('application/json').send(body);

const warningsOf = (warnings: QueryWarning[], ep: Endpoint) => warnings.map((w) => warningInfo(w.codeMinor, w.description, ep.operationId));

/** GET of a collection: filter, sort, fields and paging, inside the endpoint's restriction and the client's sharing scope. */
export function collectionHandler(ep: Endpoint, version: OneRosterVersion, deps: HandlerDeps) {
  return async (req: Request, res: Response) => {
    res.locals.operationId = ep.operationId;
    const p = res.locals.principal as Principal;
    admit(ep, version, p);
    const query = req.query as RawQuery;
    const params = readCollectionParams(query, ep.entity, version, { hidden: hiddenFields(ep.entity, p.sharing) });
    const pathParams = req.params as Record<string, string>;
    const listUrl = `${origin(req, deps.publicUrl)}${req.baseUrl}${req.path}`;
    const body: Record<string, unknown> = {};

    for (const parent of ep.parents) {
      const conditions = [...(parent.where ? [parent.where(pathParams, p.tenant)] : []), ...sharingConditions(parent.entity, p.sharing, p.tenant)];
      if (!(await findRecord(deps.knex, parent.entity, p.tenant, pathParams[parent.param]!, conditions))) {
        // 1.1: an empty collection (the SDS collection requires it); 1.2: unknownobject, as the standard says.
        if (version === '1.2') throw new RollcallError('not_found', `Unknown ${parent.param.replace(/SourcedId$/, '')}: no record with sourcedId "${pathParams[parent.param]}"`);
        res.set('X-Total-Count', '0').set('Link', linkHeader(listUrl, query, params.limit, params.offset, 0));
        body[ep.key] = [];
        if (params.warnings.length) body.statusInfoSet = warningsOf(params.warnings, ep);
        res.json(body);
        return;
      }
    }

    const scope = [...ep.where.map((c) => c(pathParams, p.tenant)), ...sharingConditions(ep.entity, p.sharing, p.tenant)];
    const render = await renderFor(deps, ep, version, p, req, params.fields);
    const page = await deps.pager.page(deps.knex, { entity: ep.entity, version, tenant: p.tenant, scope, params }, render);
    const warnings = version === '1.1' && params.warnings.length ? warningsOf(params.warnings, ep) : undefined;
    res.set('X-Total-Count', String(page.total)).set('Link', linkHeader(listUrl, query, params.limit, params.offset, page.total));
    sendJson(res, collectionBody(ep.key, page.rows, warnings));
  };
}

/** GET of one record; a record outside the endpoint's restriction or the client's scope is a 404 like a missing one. */
export function singleHandler(ep: Endpoint, version: OneRosterVersion, deps: HandlerDeps) {
  return async (req: Request, res: Response) => {
    res.locals.operationId = ep.operationId;
    const p = res.locals.principal as Principal;
    admit(ep, version, p);
    const warnings: QueryWarning[] = [];
    const fields = readFields(req.query as RawQuery, ep.entity, version, warnings, hiddenFields(ep.entity, p.sharing));
    const pathParams = req.params as Record<string, string>;
    const conditions = [...ep.where.map((c) => c(pathParams, p.tenant)), ...sharingConditions(ep.entity, p.sharing, p.tenant)];
    const render = await renderFor(deps, ep, version, p, req, fields);
    const json = await findRendered(deps.knex, ep.entity, p.tenant, pathParams.sourcedId!, conditions, render);
    if (json === undefined) throw new RollcallError('not_found', `Unknown ${ep.key}: no record with sourcedId "${pathParams.sourcedId}"`);
    res.set('X-Total-Count', '1'); // the SDS collection checks it on single objects too
    sendJson(res, singleBody(ep.key, json, version === '1.1' && warnings.length ? warningsOf(warnings, ep) : undefined));
  };
}
