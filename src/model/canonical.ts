import { z } from 'zod';
import type { EntityName } from './entities.js';
import { CLASS_TYPES, ENROLLMENT_ROLES, ORG_TYPES, ROLES_V1P2, ROLE_TYPES, SESSION_TYPES } from './vocab.js';

/**
 * What every canonical record must hold, whatever wrote it (connectors; the CSV import checks the
 * same rules cell by cell): the fields the API needs to serve a valid record. Extra properties
 * pass through untouched. 1.2 vocabularies allow `ext:` values.
 */
const text = z.string().trim().min(1);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const vocab = (values: readonly string[]) =>
  z.string().refine((v) => values.includes(v) || /^ext:[A-Za-z0-9.\-_]+$/.test(v), { message: `must be one of ${values.join(', ')} (or ext:…)` });
const ref = (type: string) => z.object({ sourcedId: text, type: z.literal(type) });

const SCHEMAS: Record<EntityName, z.ZodType> = {
  orgs: z.looseObject({ name: text, type: vocab(ORG_TYPES), parent: ref('org').optional() }),
  academicSessions: z.looseObject({
    title: text, type: vocab(SESSION_TYPES), startDate: date, endDate: date, schoolYear: z.string().regex(/^\d{4}$/, 'must be a 4-digit year'),
    parent: ref('academicSession').optional(),
  }),
  courses: z.looseObject({ title: text, org: ref('org').optional(), schoolYear: ref('academicSession').optional() }),
  classes: z.looseObject({
    title: text, classType: vocab(CLASS_TYPES).optional(), course: ref('course'), school: ref('org'), terms: z.array(ref('academicSession')).min(1),
  }),
  users: z.looseObject({
    givenName: text, familyName: text, enabledUser: z.boolean().optional(),
    roles: z.array(z.looseObject({ roleType: vocab(ROLE_TYPES), role: vocab(ROLES_V1P2), org: ref('org') })).min(1),
    primaryOrg: ref('org').optional(), agents: z.array(ref('user')).optional(),
  }),
  enrollments: z.looseObject({ user: ref('user'), class: ref('class'), school: ref('org'), role: vocab(ENROLLMENT_ROLES), primary: z.boolean().optional() }),
  demographics: z.looseObject({}),
};

/** The problems of a canonical record as "field: message" lines; empty when it is valid. */
export function canonicalProblems(entity: EntityName, data: unknown): string[] {
  const r = SCHEMAS[entity].safeParse(data);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
}
