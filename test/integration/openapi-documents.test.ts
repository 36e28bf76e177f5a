import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import querystring from 'node:querystring';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ENDPOINTS } from '../../src/api/oneroster/endpoints.js';
import { BASE_PATH } from '../../src/api/oneroster/handlers.js';
import { statusInfoFor, warningInfo } from '../../src/api/oneroster/status-info.js';
import { buildOpenApi } from '../../src/api/openapi/build.js';
import { createDocsRouter, DISCOVERY_FILES } from '../../src/api/openapi/docs-router.js';
import { ENTITY_SCHEMA } from '../../src/api/openapi/entity-schemas.js';
import { envelopeName } from '../../src/api/openapi/envelope-schemas.js';
import { openApiRequestValidator, validationErrorToRollcall } from '../../src/api/openapi/request-validator.js';
import { COMMITTED_DOCUMENTS, COMMITTED_SERVER_URL, OPENAPI_DIR } from '../../src/api/openapi/write-documents.js';
import { finish, type StoredRecord } from '../../src/api/serialize/shared.js';
import { v1p1 } from '../../src/api/serialize/v1p1.js';
import { v1p2 } from '../../src/api/serialize/v1p2.js';
import { RollcallError, type ErrorKind } from '../../src/errors.js';
import type { EntityName } from '../../src/model/entities.js';
import type { OneRosterVersion } from '../../src/model/vocab.js';
import { readCollectionParams, type RawQuery } from '../../src/query/collection-params.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';
import { sampleRecords } from '../helpers/sample-records.js';
import { OFFICIAL_OPENAPI } from '../helpers/official-openapi.js';

type Doc = Record<string, any>;
const VERSIONS: OneRosterVersion[] = ['1.1', '1.2'];
const json = (x: unknown): Doc => JSON.parse(JSON.stringify(x));

/** Validators for the component schemas of one of our documents. */
function schemasOf(doc: Doc): (name: string) => ValidateFunction {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addSchema(doc, 'ours');
  return (name) => {
    const v = ajv.getSchema(`ours#/components/schemas/${name}`);
    assert.ok(v, `no schema ${name}`);
    return v;
  };
}

async function listen(app: express.Express): Promise<{ base: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('OpenAPI documents', () => {
  test('the committed openapi/*.json are what buildOpenApi produces', () => {
    for (const { file, version } of COMMITTED_DOCUMENTS) {
      const committed = JSON.parse(fs.readFileSync(path.join(OPENAPI_DIR, file), 'utf8'));
      assert.deepEqual(committed, json(buildOpenApi(version, COMMITTED_SERVER_URL)), `openapi/${file} is out of date: run \`npm run openapi\``);
    }
  });

  test('both documents are valid OpenAPI 3.0 (swagger-parser)', async () => {
    for (const version of VERSIONS) {
      const doc = json(buildOpenApi(version, 'https://roster.example.org'));
      assert.equal(doc.openapi, '3.0.3');
      await SwaggerParser.validate(doc as never);
    }
  });

  test('generated from the endpoint table: 41 GET operations, the right parameters, scopes and envelopes', () => {
    for (const version of VERSIONS) {
      const doc = json(buildOpenApi(version, 'https://roster.example.org/'));
      assert.equal(doc.servers[0].url, `https://roster.example.org${BASE_PATH[version]}`);
      assert.equal(doc.components.securitySchemes.OAuth2CC.flows.clientCredentials.tokenUrl, 'https://roster.example.org/oauth/token');
      if (version === '1.1') assert.deepEqual({ type: doc.components.securitySchemes.OAuth.type, scheme: doc.components.securitySchemes.OAuth.scheme }, { type: 'http', scheme: 'OAuth' });
      else assert.equal(doc.components.securitySchemes.OAuth, undefined);
      assert.equal(Object.keys(doc.paths).length, 41);
      const v = version === '1.1' ? 'v1p1' : 'v1p2';
      const scope = (s: string) => `https://purl.imsglobal.org/spec/or/${v}/scope/${s}.readonly`;
      for (const ep of ENDPOINTS) {
        const op = doc.paths[ep.path]?.get;
        assert.ok(op, `${ep.path} is missing`);
        assert.equal(op.operationId, ep.operationId);
        const query = op.parameters.filter((p: Doc) => p.$ref).map((p: Doc) => doc.components.parameters[p.$ref.split('/').pop()].name);
        assert.deepEqual(query, ep.single ? ['fields'] : ['limit', 'offset', 'sort', 'orderBy', 'filter', 'fields'], ep.operationId);
        const pathParams = op.parameters.filter((p: Doc) => p.in === 'path').map((p: Doc) => p.name);
        assert.deepEqual(pathParams, [...ep.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
        const expectedSecurity = { core: [[scope('roster-core')], [scope('roster')]], roster: [[scope('roster')]], demographics: [[scope('roster-demographics')]] }[ep.scope]
          .map((s) => ({ OAuth2CC: s }));
        assert.deepEqual(op.security, version === '1.1' ? [...expectedSecurity, { OAuth: [] }] : expectedSecurity, ep.operationId);
        const ok = op.responses['200'];
        assert.equal(ok.content['application/json'].schema.$ref, `#/components/schemas/${envelopeName(ep)}`);
        assert.ok(ep.key in doc.components.schemas[envelopeName(ep)].properties, `${envelopeName(ep)} has ${ep.key}`);
        assert.ok(ok.headers['X-Total-Count']);
        assert.equal(!!ok.headers.Link, !ep.single);
        for (const status of ['400', '401', '403', '429', '500']) assert.ok(op.responses[status], `${ep.operationId} ${status}`);
        assert.equal(!!op.responses['404'], ep.single || (version === '1.2' && ep.parents.length > 0), `${ep.operationId} 404`);
      }
      const p = doc.components.parameters;
      assert.deepEqual(p.limit.schema, { type: 'integer', format: 'int32', minimum: 1, default: 100 });
      assert.deepEqual(p.offset.schema, { type: 'integer', format: 'int32', minimum: 0, default: 0 });
      assert.deepEqual(p.orderBy.schema, { type: 'string', enum: ['asc', 'desc'] });
      assert.deepEqual(p['users.filter'].schema, { type: 'string' });
      assert.match(p['users.fields'].description, /comma-separated/);
    }
  });

  test('1.2 records allow nothing beyond the standard, except metadata (and credentials, as the standard has it)', () => {
    const schemas = json(buildOpenApi('1.2', '')).components.schemas;
    for (const [name, s] of Object.entries<Doc>(schemas)) {
      if (s.type !== 'object') continue;
      assert.equal(s.additionalProperties, name === 'MetadataDType' || name === 'CredentialDType', name);
    }
    assert.deepEqual(schemas.UserDType.properties.enabledUser.enum, ['true', 'false']);
    assert.equal(schemas.UserDType.properties.dateLastModified.format, 'date-time');
    assert.deepEqual(Object.keys(schemas.OrgGUIDRefDType.properties), ['href', 'sourcedId', 'type']);
  });
});

describe('against the official 1EdTech 1.2 document', () => {
  const official: Doc | undefined = fs.existsSync(OFFICIAL_OPENAPI) ? JSON.parse(fs.readFileSync(OFFICIAL_OPENAPI, 'utf8')) : undefined;
  const skip = official ? false : `the official document is absent (${OFFICIAL_OPENAPI}; a fresh clone has no ../shared): comparison skipped`;
  const ours = json(buildOpenApi('1.2', 'https://roster.example.org'));
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
  const operations = (doc: Doc) => new Map(Object.entries<Doc>(doc.paths).map(([p, item]) => [shape(p), item.get?.operationId]));

  test('the same 41 paths (parameter names aside) with the same operationIds', { skip }, () => {
    assert.deepEqual([...operations(ours)].sort(), [...operations(official!)].sort());
  });

  test('every schema: the same property names, required lists and openness', { skip }, () => {
    const theirs = official!.components.schemas as Record<string, Doc>;
    const mine = ours.components.schemas as Record<string, Doc>;
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
    for (const [name, t] of Object.entries(theirs)) {
      const m = mine[name]!;
      assert.deepEqual(Object.keys(m.properties ?? {}).sort(), Object.keys(t.properties ?? {}).sort(), `${name}: properties`);
      assert.deepEqual([...(m.required ?? [])].sort(), [...(t.required ?? [])].sort(), `${name}: required`);
      assert.equal(m.additionalProperties, t.additionalProperties, `${name}: additionalProperties`);
      for (const [prop, tp] of Object.entries<Doc>(t.properties ?? {})) {
        const mp = m.properties[prop];
        // Same kind of value: type, format, enum, array minItems, and the schema referenced.
        for (const k of ['type', 'format', 'enum', '$ref']) assert.deepEqual(mp[k], tp[k], `${name}.${prop}: ${k}`);
        assert.equal(mp.minItems ?? 0, tp.minItems ?? 0, `${name}.${prop}: minItems`);
        if (tp.items) assert.deepEqual(mp.items.$ref ?? mp.items.type, tp.items.$ref ?? tp.items.type, `${name}.${prop}: items`);
        if (tp.anyOf) assert.deepEqual(mp.anyOf[0].enum, tp.anyOf[0].enum, `${name}.${prop}: vocabulary`);
      }
    }
  });
});

for (const engine of engines()) {
  describe(`serializer output validates against our schemas (${engine.name})`, () => {
    let db: Database;
    let records = new Map<string, StoredRecord[]>();
    before(async () => {
      db = await engine.open();
      records = await sampleRecords(db);
    });
    after(async () => db?.close());

    for (const version of VERSIONS) {
      test(`every ${version} record, and its envelopes`, () => {
        const schema = schemasOf(json(buildOpenApi(version, 'https://roster.example.org')));
        const serializers = version === '1.1' ? v1p1 : v1p2;
        const baseUrl = `https://roster.example.org${BASE_PATH[version]}`;
        const byEntity = new Map<EntityName, Doc[]>();
        let n = 0;
        for (const [key, rows] of records) {
          const entity = key.split('/')[1] as EntityName;
          const validate = schema(ENTITY_SCHEMA[entity]);
          for (const r of rows) {
            const out = json(finish(serializers[entity](r, { baseUrl })));
            assert.ok(validate(out), `${version} ${key}/${r.sourced_id}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(out)}`);
            byEntity.set(entity, [...(byEntity.get(entity) ?? []), out]);
            n++;
          }
        }
        assert.ok(n > 1000, `validated ${n} records`);
        const warning = warningInfo('invalid_sort_field', 'Cannot sort by "x"; sorted by sourcedId', 'getAllUsers');
        for (const ep of ENDPOINTS) {
          const all = byEntity.get(ep.entity)!;
          const body: Doc = ep.single ? { [ep.key]: all[0] } : { [ep.key]: all };
          if (version === '1.1') body.statusInfoSet = [warning];
          const validate = schema(envelopeName(ep));
          assert.ok(validate(body), `${ep.operationId}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
        }
      });

      test(`every ${version} error body the API sends fits the status-info schema`, () => {
        const doc = json(buildOpenApi(version, ''));
        const schema = schemasOf(doc);
        const errors: Array<[ErrorKind, Record<string, unknown>?]> = [
          ['invalid_input'], ['invalid_input', { codeMinor: 'invalid_filter_field' }], ['invalid_input', { codeMinor: 'invalid_selection_field' }],
          ['invalid_input', { codeMinor: 'invalid_blank_selection_field' }], ['unauthorized'], ['forbidden'], ['not_found'],
          ['busy', { retryAfterSeconds: 3 }], ['internal'],
        ];
        const responseOf: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests', 500: 'ServerError' };
        for (const [kind, details] of errors) {
          if (version === '1.2' && details?.codeMinor === 'invalid_blank_selection_field') continue; // 1.1 only
          const out = statusInfoFor(new RollcallError(kind, `a ${kind}`, details), version, 'getAllUsers');
          const response = doc.components.responses[responseOf[out.status]!];
          assert.ok(response, `${kind}: HTTP ${out.status} is documented`);
          const validate = schema(response.content['application/json'].schema.$ref.split('/').pop());
          assert.ok(validate(json(out.body)), `${version} ${kind}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(out.body)}`);
          for (const h of Object.keys(out.headers)) assert.ok(response.headers?.[h], `${kind}: header ${h} is documented`);
        }
      });
    }
  });
}

describe('docs router over HTTP', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    const app = express();
    app.use(createDocsRouter({}));
    server = await listen(app);
  });
  after(async () => server?.close());

  test('discovery URLs serve the 1.2 document for the request\'s own host', async () => {
    for (const url of [...DISCOVERY_FILES.map((f) => `${BASE_PATH['1.2']}/discovery/${f}`), `${BASE_PATH['1.2']}/discovery/`, '/openapi/oneroster-v1p2.json']) {
      const res = await fetch(`${server.base}${url}`);
      assert.equal(res.status, 200, url);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const doc = (await res.json()) as Doc;
      assert.equal(doc.info.version, '1.2');
      assert.equal(doc.servers[0].url, `${server.base}${BASE_PATH['1.2']}`, url);
      assert.equal(doc.components.securitySchemes.OAuth2CC.flows.clientCredentials.tokenUrl, `${server.base}/oauth/token`);
      assert.deepEqual(doc, json(buildOpenApi('1.2', server.base)));
    }
    for (const url of [`${BASE_PATH['1.1']}/discovery/`, '/openapi/oneroster-v1p1.json']) {
      const doc = (await (await fetch(`${server.base}${url}`)).json()) as Doc;
      assert.equal(doc.info.version, '1.1', url);
      assert.equal(doc.servers[0].url, `${server.base}${BASE_PATH['1.1']}`);
      assert.equal(doc.components.securitySchemes.OAuth2CC.flows.clientCredentials.tokenUrl, `${server.base}/oauth/token`);
    }
  });

  test('PUBLIC_URL, when set, wins over the request\'s host', async () => {
    const app = express();
    app.use(createDocsRouter({ publicUrl: 'https://roster.example.org/' }));
    const other = await listen(app);
    try {
      const doc = (await (await fetch(`${other.base}${BASE_PATH['1.2']}/discovery/`)).json()) as Doc;
      assert.equal(doc.servers[0].url, `https://roster.example.org${BASE_PATH['1.2']}`);
      assert.equal(doc.components.securitySchemes.OAuth2CC.flows.clientCredentials.tokenUrl, 'https://roster.example.org/oauth/token');
    } finally {
      await other.close();
    }
  });

  test('/docs is a Swagger UI page whose assets and documents load from this server', async () => {
    const res = await fetch(`${server.base}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(scripts.some((s) => s.endsWith('/swagger-ui-bundle.js')), 'loads swagger-ui-bundle.js');
    assert.ok(!/unpkg|jsdelivr|cdnjs/.test(html), 'no CDN');
    for (const url of [...scripts, ...styles]) {
      assert.ok(url.startsWith(server.base), url);
      const asset = await fetch(url);
      assert.equal(asset.status, 200, url);
      assert.ok(Number(asset.headers.get('content-length') ?? (await asset.arrayBuffer()).byteLength) > 0, url);
    }
    const urls = JSON.parse(unescape(/data-urls="([^"]+)"/.exec(html)![1]!)) as Array<{ url: string; name: string }>;
    assert.deepEqual(urls.map((u) => u.name), ['OneRoster 1.2', 'OneRoster 1.1']);
    for (const u of urls) assert.equal((await fetch(u.url)).status, 200, u.url);
    const redirect = unescape(/data-oauth2-redirect="([^"]+)"/.exec(html)![1]!);
    assert.equal((await fetch(redirect)).status, 200);
    assert.equal((await fetch(`${server.base}/docs/index.html`)).status, 404, 'only the needed swagger-ui-dist files are served');
  });
});

describe('request validator', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  type Outcome = { status: number; source?: 'validator' | 'parser'; codeMinor?: string; message?: string; parameter?: string; query?: Doc };
  const seen = { validatorErrors: 0 };

  before(async () => {
    const app = express();
    for (const version of VERSIONS) {
      const router = express.Router();
      router.use(openApiRequestValidator(version));
      router.get('/classes/:id/students/:studentId/results', (req: Request, res: Response) => {
        res.json({ query: req.query });
      });
      router.get('/users', (req: Request, res: Response) => {
        const query = { ...(req.query as Doc) };
        readCollectionParams(req.query as RawQuery, 'users', version);
        res.json({ query });
      });
      router.get('/users/:sourcedId', (req: Request, res: Response) => {
        res.json({ query: req.query });
      });
      router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
        const fromValidator = validationErrorToRollcall(err);
        if (fromValidator) seen.validatorErrors++;
        const e = fromValidator ?? (err instanceof RollcallError ? err : undefined);
        if (!e) return res.status(500).json({ message: String(err) });
        res.status(400).json({ source: fromValidator ? 'validator' : 'parser', codeMinor: e.details?.codeMinor, message: e.message, parameter: e.details?.parameter });
      });
      app.use(BASE_PATH[version], router);
    }
    server = await listen(app);
  });
  after(async () => server?.close());

  const get = async (version: OneRosterVersion, pathAndQuery: string): Promise<Outcome> => {
    const res = await fetch(`${server.base}${BASE_PATH[version]}${pathAndQuery}`);
    return { status: res.status, ...((await res.json()) as Doc) };
  };

  test('limit=0 and limit=abc: 400 invaliddata naming limit', async () => {
    for (const version of VERSIONS) {
      for (const q of ['limit=0', 'limit=abc', 'limit=']) {
        const out = await get(version, `/users?${q}`);
        assert.equal(out.status, 400, q);
        assert.equal(out.source, 'validator', q);
        assert.equal(out.codeMinor, 'invaliddata');
        assert.equal(out.parameter, 'limit');
        assert.match(out.message!, /\blimit\b/);
      }
      const offset = await get(version, '/users?offset=-1');
      assert.deepEqual([offset.status, offset.codeMinor, offset.parameter], [400, 'invaliddata', 'offset']);
      const orderBy = await get(version, '/users?orderBy=sideways');
      assert.deepEqual([orderBy.status, orderBy.codeMinor, orderBy.parameter], [400, 'invaliddata', 'orderBy']);
    }
  });

  test('limit%20=100, unknown parameters, comma and repeated fields, big limits pass; req.query arrives untouched', async () => {
    for (const version of VERSIONS) {
      for (const q of ['limit%20=100', 'foo=bar&limit%20=100', 'limit=10000', 'orderBy=desc', 'orderBy=DESC', 'fields=sourcedId,givenName',
        'fields=sourcedId&fields=givenName', 'sort=familyName&orderBy=asc', "filter=status='active'", 'filter=status%3D%27active%27%20AND%20givenName~%27a%27']) {
        const out = await get(version, `/users?${q}`);
        assert.equal(out.status, 200, `${version} ${q}: ${out.message}`);
      }
      const fields = await get(version, '/users?fields=a,b');
      assert.notEqual(fields.source, 'validator', 'fields=a,b passes the validator (the parser then judges the names)');
      const out = await get(version, '/users?limit=10&filter=status%3D%27active%27&fields=sourcedId&fields=givenName');
      assert.deepEqual(out.query, { limit: '10', filter: "status='active'", fields: ['sourcedId', 'givenName'] }, 'no coercion, no defaults, filter as sent');
      // Single records take only fields; anything else is an unknown parameter, ignored.
      assert.equal((await get(version, '/users/u1?limit=0&fields=sourcedId')).status, 200);
    }
    // The 1.1 gradebook paths are not in the document and pass untouched.
    assert.deepEqual((await get('1.1', '/classes/c1/students/s1/results?limit=0')).query, { limit: '0' });
  });

  test('never stricter than the parser: whatever readCollectionParams accepts, the validator accepts', async () => {
    const queries = [
      '', 'limit=1', 'limit=%2010%20', 'limit=010', 'limit=999999999', 'limit=1e3', 'limit=1.5', 'limit=-1', 'limit=10&limit=20', 'limit=abc&limit=5',
      'offset=0', 'offset=5&offset=x', 'offset=1e2', 'orderBy=Asc', 'orderBy=%20desc%20', 'orderBy=asc&orderBy=desc', 'orderBy=', 'sort=', 'sort=a,b',
      'sort=metadata.x', 'fields=sourcedId,', 'fields=', 'fields=%20sourcedId%20', "filter=givenName='a,b'", 'filter=', "filter=x='1'&filter=status='active'",
      "filter=status='active'%20AND%20(givenName='a'%20OR%20givenName='b')", 'filter=%E2%80%98x%E2%80%99', 'limit=10&offset=20&sort=familyName&orderBy=desc',
    ];
    for (const version of VERSIONS) {
      for (const q of queries) {
        let parserAccepts = true;
        try {
          readCollectionParams(querystring.parse(q) as RawQuery, 'users', version);
        } catch {
          parserAccepts = false;
        }
        const out = await get(version, `/users?${q}`);
        if (parserAccepts) assert.equal(out.status, 200, `${version} ${q}: ${out.message}`);
        else assert.equal(out.status, 400, `${version} ${q}`);
      }
    }
    assert.ok(seen.validatorErrors > 0);
  });

  test('validationErrorToRollcall leaves other errors alone', () => {
    assert.equal(validationErrorToRollcall(new Error('boom')), undefined);
    assert.equal(validationErrorToRollcall(new RollcallError('not_found', 'x')), undefined);
    assert.equal(validationErrorToRollcall({ status: 400 }), undefined);
    assert.equal(validationErrorToRollcall(undefined), undefined);
  });
});
