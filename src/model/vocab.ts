/** OneRoster enumerations (spec/oneroster.md §5). 1.2 additionally allows `ext:` values everywhere. */
export const ORG_TYPES = ['department', 'district', 'local', 'national', 'school', 'state'] as const;
export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;
export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;
export const ROLES_V1P1 = ['administrator', 'aide', 'guardian', 'parent', 'proctor', 'relative', 'student', 'teacher'] as const;
export const ROLES_V1P2 = [
  'aide', 'counselor', 'districtAdministrator', 'guardian', 'parent', 'principal', 'proctor', 'relative',
  'siteAdministrator', 'student', 'systemAdministrator', 'teacher',
] as const;
export const ROLE_TYPES = ['primary', 'secondary'] as const;
export const ENROLLMENT_ROLES = ['administrator', 'proctor', 'student', 'teacher'] as const;
export const SEX_V1P1 = ['male', 'female'] as const;
export const SEX_V1P2 = ['male', 'female', 'unspecified', 'other'] as const;
export const USER_FLAGS = ['freeLunch', 'homeless', 'giftedOrTalented', '504', 'ELL', 'LEP', 'IEP'] as const;

export type OneRosterVersion = '1.1' | '1.2';

/** The 1.2 roles that OneRoster 1.1 calls `administrator`. */
export const ADMIN_ROLES_V1P2 = ['districtAdministrator', 'siteAdministrator', 'principal', 'systemAdministrator', 'counselor'] as const;

/** The 1.1 role of a stored (1.2) role. */
export function roleToV1p1(role: string): string {
  return (ADMIN_ROLES_V1P2 as readonly string[]).includes(role) ? 'administrator' : role;
}

/**
 * The store keeps 1.2 roles. A 1.1 `administrator` becomes `districtAdministrator` at a district
 * (or state/national/local org) and `siteAdministrator` anywhere else; 1.1 serving maps every
 * administrator-like 1.2 role back to `administrator` (docs/adr/0003-canonical-model.md).
 */
export function roleFromV1p1(role: string, orgType: string | undefined): string {
  if (role !== 'administrator') return role;
  return orgType === 'school' || orgType === 'department' || orgType === undefined ? 'siteAdministrator' : 'districtAdministrator';
}
