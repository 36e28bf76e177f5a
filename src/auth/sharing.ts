import { z } from 'zod';
import { fieldSet } from '../query/registry/index.js';
import type { EntityName } from '../model/entities.js';

const ENTITY_NAMES: EntityName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'];
/** Fields that can never be masked: without them a record is not a record. */
const UNMASKABLE = new Set(['sourcedId', 'status', 'dateLastModified']);

const maskableField = z.string().refine(
  (s) => {
    const [entity, field] = s.split('.', 2) as [EntityName, string | undefined];
    if (!ENTITY_NAMES.includes(entity) || !field || UNMASKABLE.has(field)) return false;
    return fieldSet(entity, '1.1').select.includes(field) || fieldSet(entity, '1.2').select.includes(field);
  },
  { message: 'a masked field is <entity>.<field>, e.g. users.email or demographics.birthDate (sourcedId, status and dateLastModified cannot be masked)' },
);

/**
 * What one API client may see (issue 5): a set of schools (null = every school), toggles for the
 * optional data a district may withhold, and fields to leave out of every record.
 */
export const Sharing = z.object({
  schools: z.array(z.string().min(1)).nullable().default(null),
  demographics: z.boolean().default(true),
  guardians: z.boolean().default(true),
  userFlags: z.boolean().default(true),
  maskedFields: z.array(maskableField).default([]),
});
export type Sharing = z.infer<typeof Sharing>;

export const SHARE_EVERYTHING: Sharing = { schools: null, demographics: true, guardians: true, userFlags: true, maskedFields: [] };

/** The sharing columns of an api_clients row. */
export type SharingRow = {
  school_ids: string[] | null;
  share_demographics: boolean;
  share_guardians: boolean;
  share_user_flags: boolean;
  masked_fields: string[];
};

export function sharingOf(row: SharingRow): Sharing {
  return {
    schools: row.school_ids,
    demographics: row.share_demographics,
    guardians: row.share_guardians,
    userFlags: row.share_user_flags,
    maskedFields: row.masked_fields,
  };
}

/** The masked fields of one entity, as top-level property names. */
export function maskedFieldsOf(sharing: Sharing, entity: EntityName): Set<string> {
  return new Set(sharing.maskedFields.filter((f) => f.startsWith(`${entity}.`)).map((f) => f.slice(entity.length + 1)));
}
