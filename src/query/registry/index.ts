import type { EntityName } from '../../model/entities.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import type { FieldDef, FieldSet } from '../fields.js';
import { academicSessionFields, classFields, courseFields, demographicFields, enrollmentFields, orgFields, userFields } from './entities.js';

const REGISTRY: Record<EntityName, Record<OneRosterVersion, FieldSet>> = {
  orgs: orgFields,
  academicSessions: academicSessionFields,
  courses: courseFields,
  classes: classFields,
  users: userFields,
  enrollments: enrollmentFields,
  demographics: demographicFields,
};

export function fieldSet(entity: EntityName, version: OneRosterVersion): FieldSet {
  return REGISTRY[entity][version];
}

const METADATA_KEY = /^metadata\.([A-Za-z0-9_.-]{1,128})$/;

/**
 * The filterable field `name` of an entity in a version, or undefined. `metadata.<key>` works on
 * every entity; the key reaches SQL only as a binding (see compile-filter), never as text.
 */
export function lookupField(entity: EntityName, version: OneRosterVersion, name: string): (FieldDef & { metadataKey?: string }) | undefined {
  const def = REGISTRY[entity][version].filter[name];
  if (def) return def;
  const m = METADATA_KEY.exec(name);
  return m ? { type: 'text', sql: `(r.data->'metadata'->>?)`, sortable: true, metadataKey: m[1] } : undefined;
}
