import type { OneRosterVersion } from '../../model/vocab.js';
import type { Endpoint } from '../oneroster/endpoints.js';
import { ENTITY_SCHEMA } from './entity-schemas.js';
import { arrayOf, ref, type Schema } from './schema-kit.js';

/** `UserSetDType` for collections of users, `SingleUserDType` for one user. */
export function envelopeName(e: Endpoint): string {
  const base = ENTITY_SCHEMA[e.entity].replace(/DType$/, '');
  return e.single ? `Single${base}DType` : `${base}SetDType`;
}

/** The response body of every endpoint's 200: one property, named by the endpoint's envelope key. */
export function envelopeSchemas(endpoints: readonly Endpoint[], v: OneRosterVersion): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const keys = new Map<string, string>();
  for (const e of endpoints) {
    const name = envelopeName(e);
    if (keys.has(name) && keys.get(name) !== e.key) throw new Error(`${name}: envelope keys ${keys.get(name)} and ${e.key} differ`);
    keys.set(name, e.key);
    const record = ref(ENTITY_SCHEMA[e.entity]);
    const properties: Record<string, Schema> = e.single ? { [e.key]: record } : { [e.key]: arrayOf(record, 'The records of this page (empty past the last one).') };
    // 1.1 sends warnings (unknown sort or selection field) beside the data.
    if (v === '1.1') properties.statusInfoSet = arrayOf(ref('StatusInfoDType'), 'Warnings about the request, when there are any.');
    out[name] = {
      type: 'object',
      description: e.single ? `One record, under \`${e.key}\`.` : `A page of records, under \`${e.key}\`.`,
      properties,
      ...(e.single ? { required: [e.key] } : {}),
      additionalProperties: false,
    };
  }
  return out;
}
