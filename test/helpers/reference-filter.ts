import type { Comparison, FilterExpr } from '../../src/query/ast.js';

/**
 * A plain TypeScript evaluation of OneRoster filters over store rows, written from the documented
 * semantics (not from the SQL) so the integration tests can compare the two.
 */
export type StoreRow = { sourced_id: string; status: string; dlm: string; role?: string; data: Record<string, any> };

type Kind = 'id' | 'text' | 'enum' | 'date' | 'datetime' | 'boolean';
type Accessor = { kind: Kind; get: (r: StoreRow) => unknown; array?: boolean; vocab?: string[] };

const ref = (k: string) => (r: StoreRow) => r.data[k]?.sourcedId;
const refs = (k: string) => (r: StoreRow) => (r.data[k] ?? []).map((x: { sourcedId: string }) => x.sourcedId);
const prop = (k: string) => (r: StoreRow) => r.data[k];
const list = (k: string) => (r: StoreRow) => r.data[k] ?? [];
const ADMIN = ['districtAdministrator', 'siteAdministrator', 'principal', 'systemAdministrator', 'counselor'];

/** Field accessors per entity (1.1 and 1.2 differ only for users). */
export function accessors(entity: string, version: '1.1' | '1.2'): Record<string, Accessor> {
  const base: Record<string, Accessor> = {
    sourcedId: { kind: 'id', get: (r) => r.sourced_id },
    status: { kind: 'enum', get: (r) => r.status },
    dateLastModified: { kind: 'datetime', get: (r) => r.dlm },
  };
  const t = (k: string): Accessor => ({ kind: 'text', get: prop(k) });
  switch (entity) {
    case 'orgs':
      return { ...base, name: t('name'), type: { kind: 'enum', get: prop('type') }, identifier: t('identifier'), 'parent.sourcedId': { kind: 'id', get: ref('parent') } };
    case 'academicSessions':
      return { ...base, title: t('title'), type: { kind: 'enum', get: prop('type') }, startDate: { kind: 'date', get: prop('startDate') }, endDate: { kind: 'date', get: prop('endDate') }, schoolYear: t('schoolYear'), 'parent.sourcedId': { kind: 'id', get: ref('parent') } };
    case 'courses':
      return {
        ...base, title: t('title'), courseCode: t('courseCode'), grades: { kind: 'text', get: list('grades'), array: true },
        subjects: { kind: 'text', get: list('subjects'), array: true }, 'org.sourcedId': { kind: 'id', get: ref('org') },
        'schoolYear.sourcedId': { kind: 'id', get: ref('schoolYear') },
      };
    case 'classes':
      return {
        ...base, title: t('title'), classCode: t('classCode'), classType: { kind: 'enum', get: prop('classType') }, location: t('location'),
        grades: { kind: 'text', get: list('grades'), array: true }, periods: { kind: 'text', get: list('periods'), array: true },
        subjects: { kind: 'text', get: list('subjects'), array: true },
        'course.sourcedId': { kind: 'id', get: ref('course') }, 'school.sourcedId': { kind: 'id', get: ref('school') },
        'terms.sourcedId': { kind: 'id', get: refs('terms'), array: true },
      };
    case 'enrollments':
      return {
        ...base, role: { kind: 'enum', get: prop('role') }, primary: { kind: 'boolean', get: prop('primary') },
        beginDate: { kind: 'date', get: prop('beginDate') }, endDate: { kind: 'date', get: prop('endDate') },
        'class.sourcedId': { kind: 'id', get: ref('class') }, 'user.sourcedId': { kind: 'id', get: ref('user') }, 'school.sourcedId': { kind: 'id', get: ref('school') },
      };
    case 'users': {
      const common: Record<string, Accessor> = {
        ...base, username: t('username'), givenName: t('givenName'), familyName: t('familyName'), middleName: t('middleName'), email: t('email'), identifier: t('identifier'),
        enabledUser: { kind: 'boolean', get: prop('enabledUser') }, grades: { kind: 'text', get: list('grades'), array: true },
        'agents.sourcedId': { kind: 'id', get: refs('agents'), array: true },
        'metadata.microsoft.userFlags': { kind: 'text', get: (r) => r.data.metadata?.['microsoft.userFlags'] },
      };
      const orgIds = (r: StoreRow) => [...new Set((r.data.roles ?? []).map((x: any) => x.org.sourcedId))];
      if (version === '1.1') {
        return {
          ...common,
          role: { kind: 'enum', get: (r) => (ADMIN.includes(r.role!) ? 'administrator' : r.role) },
          'orgs.sourcedId': { kind: 'id', get: orgIds, array: true },
        };
      }
      return {
        ...common,
        'roles.role': { kind: 'enum', get: (r) => (r.data.roles ?? []).map((x: any) => x.role), array: true },
        'roles.org.sourcedId': { kind: 'id', get: orgIds, array: true },
        'primaryOrg.sourcedId': { kind: 'id', get: ref('primaryOrg') },
      };
    }
    default:
      throw new Error(`no reference accessors for ${entity}`);
  }
}

const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const cmp = (a: string, b: string) => {
  // Unicode code point order, as collation "C" on UTF-8 sorts.
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};
const instant = (v: string) => {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
  return new Date(iso).getTime();
};

function scalar(kind: Kind, value: unknown, c: Comparison): boolean {
  if (value === undefined || value === null) return c.op === '!=';
  const v = String(value);
  switch (kind) {
    case 'date':
    case 'datetime': {
      if (c.op === '~') return v.includes(c.value);
      const a = instant(v);
      const b = instant(c.value);
      return { '=': a === b, '!=': a !== b, '>': a > b, '>=': a >= b, '<': a < b, '<=': a <= b }[c.op];
    }
    case 'boolean':
      return c.op === '=' ? v === c.value.toLowerCase() : v !== c.value.toLowerCase();
    case 'id':
      if (c.op === '~') return v.includes(c.value);
      return { '=': v === c.value, '!=': v !== c.value, '>': cmp(v, c.value) > 0, '>=': cmp(v, c.value) >= 0, '<': cmp(v, c.value) < 0, '<=': cmp(v, c.value) <= 0 }[c.op];
    default: {
      const [a, b] = [foldAscii(v), foldAscii(c.value)];
      if (c.op === '=') return a === b;
      if (c.op === '!=') return a !== b;
      if (c.op === '~') return a.includes(b);
      const d = cmp(v, c.value);
      return { '>': d > 0, '>=': d >= 0, '<': d < 0, '<=': d <= 0 }[c.op];
    }
  }
}

export function evaluate(expr: FilterExpr, row: StoreRow, fields: Record<string, Accessor>): boolean {
  if (expr.kind === 'and') return expr.terms.every((t) => evaluate(t, row, fields));
  if (expr.kind === 'or') return expr.terms.some((t) => evaluate(t, row, fields));
  const f = fields[expr.field];
  if (!f) throw new Error(`reference has no field ${expr.field}`);
  const value = f.get(row);
  if (f.array) return (value as unknown[]).some((v) => scalar(f.kind, v, { ...expr, op: expr.op }));
  return scalar(f.kind, value, expr);
}
