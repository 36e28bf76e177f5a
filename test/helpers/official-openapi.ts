import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export const OFFICIAL_OPENAPI = path.resolve(import.meta.dirname, '../../../shared/openapi/onerosterv1p2rostersservice_openapi3_v1p0.json');

/** Validators for the official 1.2 schemas by name (e.g. `UserDType`), or undefined when ../shared is absent. */
export function officialSchemas(): ((name: string) => ValidateFunction) | undefined {
  if (!fs.existsSync(OFFICIAL_OPENAPI)) return undefined;
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addSchema(JSON.parse(fs.readFileSync(OFFICIAL_OPENAPI, 'utf8')), 'oas');
  return (name) => ajv.getSchema(`oas#/components/schemas/${name}`)!;
}

/**
 * A validator for the 200 response body of an official 1.2 path (matched with parameter names
 * ignored, e.g. `/schools/{x}/classes`), or undefined when ../shared is absent.
 */
export function officialResponseValidators(): ((path: string) => ValidateFunction) | undefined {
  if (!fs.existsSync(OFFICIAL_OPENAPI)) return undefined;
  const doc = JSON.parse(fs.readFileSync(OFFICIAL_OPENAPI, 'utf8'));
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addSchema(doc, 'oas');
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
  const byShape = new Map(Object.keys(doc.paths).map((p) => [shape(p), p]));
  return (path) => {
    const official = byShape.get(shape(path));
    if (!official) throw new Error(`no official path like ${path}`);
    const ref: string = doc.paths[official].get.responses['200'].content['application/json'].schema.$ref;
    return ajv.getSchema(`oas${ref}`)!;
  };
}
