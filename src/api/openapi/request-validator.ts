import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { RollcallError } from '../../errors.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import { buildOpenApi } from './build.js';

type Query = Record<string, unknown>;

/**
 * The query as Rollcall's own parser reads it (src/query/collection-params.ts): a repeated
 * parameter counts by its last value, except `fields`, whose values join into one comma list;
 * `orderBy` ignores case and surrounding blanks. The validator sees this view, so it never
 * rejects what the parser accepts.
 */
function asParserReadsIt(query: Query): Query {
  const out: Query = {};
  for (const [name, raw] of Object.entries(query)) {
    let v = raw;
    if (Array.isArray(v)) v = name === 'fields' ? v.join(',') : v[v.length - 1];
    if (name === 'orderBy' && typeof v === 'string') v = v.trim().toLowerCase();
    out[name] = v;
  }
  return out;
}

/**
 * Request validation against the version's own OpenAPI document (express-openapi-validator):
 * path and query parameters of the documented operations only. Paths the document does not
 * describe (the 1.1 gradebook and resources paths, discovery …) pass untouched, as do unknown
 * query parameters (the SDS collection sends `limit%20=100`). Security is not checked here: the
 * OneRoster router authenticates first. Responses are not validated.
 *
 * The validator coerces and fills in defaults on the query it checks; here it checks a copy and
 * the request's own `req.query` is left exactly as it came (so `filter` reaches the parser as sent).
 * Errors are the validator's HttpErrors; turn them into Rollcall errors with validationErrorToRollcall.
 */
export function openApiRequestValidator(version: OneRosterVersion): RequestHandler[] {
  const chain = OpenApiValidator.middleware({
    // A relative server URL: the validator only needs the base path.
    apiSpec: buildOpenApi(version, '') as Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'],
    validateApiSpec: false, // the document is checked by the tests (test/integration/openapi-documents.test.ts)
    validateRequests: { allowUnknownQueryParameters: true, coerceTypes: true },
    validateResponses: false,
    validateSecurity: false,
    ignoreUndocumented: true,
    fileUploader: false,
    $refParser: { mode: 'dereference' },
  }) as unknown as RequestHandler[];

  const validate: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const own = Object.getOwnPropertyDescriptor(req, 'query');
    Object.defineProperty(req, 'query', { value: asParserReadsIt(req.query as Query), writable: true, configurable: true, enumerable: true });
    const restore = () => {
      if (own) Object.defineProperty(req, 'query', own);
      else delete (req as { query?: unknown }).query; // express 5: the prototype's getter parses the URL again
    };
    let i = 0;
    const step = (err?: unknown) => {
      if (err !== undefined || i === chain.length) {
        restore();
        next(err);
        return;
      }
      const mw = chain[i++]!;
      try {
        const out = mw(req, res, step) as unknown;
        if (out instanceof Promise) out.catch(step);
      } catch (e) {
        step(e);
      }
    };
    step();
  };
  return [validate];
}

type ValidatorError = { status: number; errors?: Array<{ path?: string; message?: string }>; message?: string; path?: string };

const isValidatorError = (e: unknown): e is ValidatorError =>
  e instanceof OpenApiValidator.error.BadRequest || (e instanceof Error && (e as { status?: unknown }).status === 400 && Array.isArray((e as { errors?: unknown }).errors));

/** `/query/limit` → `limit`; `.query.limit`, `/params/sourcedId` alike. */
function parameterOf(path: string | undefined): string | undefined {
  const m = /^[./]?(?:query|params|headers)[./](.+)$/.exec(path ?? '');
  return m ? m[1]!.split(/[./]/)[0] : undefined;
}

/**
 * A validator's 400 as a Rollcall 400 `invaliddata` naming the parameter(s); undefined for any
 * other error (so the caller passes it on).
 */
export function validationErrorToRollcall(err: unknown): RollcallError | undefined {
  if (!isValidatorError(err)) return undefined;
  const items = err.errors?.length ? err.errors : [{ path: err.path, message: err.message }];
  const parameters: string[] = [];
  const parts = items.map((item) => {
    const name = parameterOf(item.path);
    if (name && !parameters.includes(name)) parameters.push(name);
    const message = (item.message ?? 'is not valid').replace(/^Parameter '[^']*' /, '');
    return name ? `${name} ${message}` : message;
  });
  const message = `Invalid request parameter${parameters.length > 1 ? 's' : ''}: ${[...new Set(parts)].join('; ')}`;
  return new RollcallError('invalid_input', message, {
    codeMinor: 'invaliddata',
    ...(parameters.length === 1 ? { parameter: parameters[0] } : {}),
    ...(parameters.length ? { parameters } : {}),
  }, { cause: err });
}
