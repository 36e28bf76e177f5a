import type { Sharing } from '../../auth/sharing.js';
import { maskedFieldsOf } from '../../auth/sharing.js';
import { refIdColumn, type EntityName } from '../../model/entities.js';
import { ADMIN_ROLES_V1P2, USER_FLAGS, type OneRosterVersion } from '../../model/vocab.js';
import type { SqlFragment } from '../../query/compile-filter.js';
import { COLLECTION_OF } from '../serialize/shared.js';
import { SHAPES, type Property, type RefType } from './record-shapes.js';

export type RenderOptions = {
  /** Absolute URL of the version's base, e.g. https://host/ims/oneroster/v1p1 (for GUIDRef hrefs). */
  baseUrl: string;
  /** The `fields` the client asked for (undefined: all). */
  fields?: readonly string[];
  sharing: Sharing;
  /** For a school-scoped client: the orgs it may see (users' orgs, roles and primaryOrg are cut to them). */
  visibleOrgs?: ReadonlySet<string>;
};

/**
 * One SQL expression over the row alias `r` that yields the record's OneRoster JSON as text, for
 * this version and client: the shape's properties in order, each either `"key":<json>` or NULL
 * (left out), joined with commas by concat_ws(), which skips NULLs. (Joining them with leading
 * commas by concat() and cutting the first off with substr() took 15% longer for a page of 5,000
 * users: substr counts a UTF-8 text's characters up to the cut, here the whole record.) Keys and
 * paths come only from the shapes; the base URL and the visible orgs are bindings.
 */
export function renderRecordSql(entity: EntityName, version: OneRosterVersion, opts: RenderOptions): SqlFragment {
  const masked = maskedFieldsOf(opts.sharing, entity);
  if (entity === 'users' && !opts.sharing.guardians) masked.add('agents');
  const ctx: Ctx = {
    entity,
    base: JSON.stringify(opts.baseUrl).slice(1, -1), // it sits inside a JSON string
    visible: opts.visibleOrgs ? JSON.stringify([...opts.visibleOrgs]) : undefined,
    shareFlags: entity !== 'users' || opts.sharing.userFlags,
  };
  const parts = SHAPES[version][entity].filter((p) => (!opts.fields || opts.fields.includes(p.key)) && !masked.has(p.key)).map((p) => property(p, ctx));
  if (!parts.length) return { sql: `'{}'`, bindings: [] };
  return {
    sql: `'{' || concat_ws(',', ${parts.map((p) => p.sql).join(',\n  ')}) || '}'`,
    bindings: parts.flatMap((p) => p.bindings),
  };
}

type Ctx = { entity: EntityName; base: string; visible?: string; shareFlags: boolean };

const SAFE_NAME = /^[A-Za-z0-9_.]+$/;
const name = (s: string) => {
  if (!SAFE_NAME.test(s)) throw new Error(`render: unsafe property name ${s}`);
  return s;
};
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const at = (path: string) => `r.data->'${name(path)}'`;
/** `"key":` as a SQL literal. */
const prefix = (key: string) => quote(`"${name(key)}":`);
const plain = (sql: string): SqlFragment => ({ sql, bindings: [] });

/**
 * `dateLastModified` exactly YYYY-MM-DDTHH:mm:ss.sssZ (the store keeps milliseconds). to_char's
 * numeric fields do not depend on the locale; it took a third of the time of the text surgery it
 * replaced (overlay, date_trunc and extract).
 */
const ISO_MS = `to_char(r.date_last_modified at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const ADMIN_ROLES = ADMIN_ROLES_V1P2.map(quote).join(', ');

/** User flags already as SDS accepts them: known flags in canonical spelling, comma-separated… */
const CANONICAL_FLAGS = `'^(${USER_FLAGS.join('|')})(,(${USER_FLAGS.join('|')}))*$'`;
/** …and none twice. (No question mark in SQL that goes through knex: it would read it as a binding.) */
const REPEATED_FLAG = `'(^|,)([^,]+),(.*,){0,1}\\2(,|$)'`;

/**
 * `metadata` as served (see rollcall_served_metadata): as stored when it has no user flags, or when
 * they are shared and already canonical (the common case, without a function call); otherwise
 * through the function, which respells or removes them.
 */
function servedMetadata(ctx: Ctx): string {
  const flags = stored('metadata', 'microsoft.userFlags');
  const canonical = ctx.shareFlags ? `when jsonb_typeof(${json(flags)}) = 'string' and ${text(flags)} ~ ${CANONICAL_FLAGS} and ${text(flags)} !~ ${REPEATED_FLAG} then r.data->'metadata'` : '';
  return `case when ${json(flags)} is null then r.data->'metadata' ${canonical}
    else rollcall_served_metadata(r.data->'metadata', ${ctx.shareFlags}) end`;
}

/** Ids of unreserved characters only (nearly all) are their own URI component and JSON string body. */
const PLAIN_ID = `'^[A-Za-z0-9_.!~*''()-]*$'`;

/**
 * Where a stored JSON value is: a jsonb expression and a path into it. Values are read with `#>` and
 * `#>>` on the whole path, which walk the stored record without copying the containers on the way
 * (a chain of `->` copies each one, and nothing is shared between the repeated reads of a ref).
 */
type Loc = { of: string; path: readonly (string | number)[] };
const stored = (...path: (string | number)[]): Loc => ({ of: 'r.data', path });
const within = (loc: Loc, ...more: (string | number)[]): Loc => ({ of: loc.of, path: [...loc.path, ...more] });
const pathLiteral = (path: readonly (string | number)[]) => `'{${path.map((p) => (typeof p === 'number' ? String(p) : name(p))).join(',')}}'`;
/** The jsonb value at `loc` (SQL NULL when absent). */
const json = (loc: Loc) => (loc.path.length ? `(${loc.of} #> ${pathLiteral(loc.path)})` : loc.of);
/** The value at `loc` as text (strings unquoted). */
const text = (loc: Loc) => `(${loc.of} #>> ${pathLiteral(loc.path)})`;

/**
 * The GUIDRef JSON for the stored {sourcedId, type} at `ref`; NULL when absent. `idFrom`: SQL that
 * reads the same id from a column, which costs less than walking the stored record to it. The
 * common case, a ref of the type the property nearly always holds (`type`) with an id of
 * unreserved characters, is written from literals and the id's text without a function call (the
 * refs were most of an enrollment's rendering time); any other type or id goes through
 * rollcall_guid_ref_tail, which serves them all. (A CASE over every known type, each branch
 * repeating the id's part, made the users statement 30 KB of SQL that took 6 ms to parse and plan
 * on each connection that first ran it, against 1.9 ms for this 7 KB.)
 */
function guidRef(ref: Loc, ctx: Ctx, type: RefType, idFrom?: string): SqlFragment {
  const collection = COLLECTION_OF[type];
  if (!collection) throw new Error(`render: unknown GUIDRef type ${type}`);
  const id = idFrom ?? text(within(ref, 'sourcedId'));
  return {
    sql: `'{"href":"' || ? || case when ${text(within(ref, 'type'))} = ${quote(type)} and ${id} ~ ${PLAIN_ID}
      then ${quote(`/${collection}/`)} || ${id} || '","sourcedId":"' || ${id} || ${quote(`","type":"${type}"}`)}
      else rollcall_guid_ref_tail(${id}, ${json(ref)}) end`,
    bindings: [ctx.base],
  };
}

/** A condition: the org at `ref` is one the client may see (always true for clients that see every school). */
function visibleOrg(ref: Loc, ctx: Ctx): SqlFragment {
  if (!ctx.visible) return plain('true');
  return { sql: `${text(within(ref, 'sourcedId'))} = any(array(select jsonb_array_elements_text(cast(? as jsonb))))`, bindings: [ctx.visible] };
}

/** `jsonb_array_elements` of the stored array at `path` (nothing when it is not an array), as x(e, i). */
const elements = (path: string) => `jsonb_array_elements(case when jsonb_typeof(${at(path)}) = 'array' then ${at(path)} end) with ordinality as x(e, i)`;
const element: Loc = { of: 'x.e', path: [] };

/** A 1.2 role object from the stored role at `role`, its org as a GUIDRef (`orgId`: as for guidRef's idFrom). */
function roleJson(role: Loc, ctx: Ctx, orgId?: string): SqlFragment {
  const member = (k: string) => `${prefix(k)} || ${json(within(role, k))}::text`;
  return join(
    plain(`'{' || concat_ws(',', ${member('roleType')}, ${member('role')}, ${prefix('org')} || `),
    guidRef(within(role, 'org'), ctx, 'org', orgId),
    plain(`, ${member('userProfile')}, ${member('beginDate')}, ${member('endDate')}) || '}'`),
  );
}

/**
 * The org id of a user's only role, from the `org_sourced_ids` column (src/model/entities.ts: with
 * one role, its org's id), not from the stored record: walking `data` to it three times took 5-6%
 * of the time to render 5,000 users.
 */
const ONLY_ROLE_ORG_ID = 'r.org_sourced_ids[1]';

const range = (n: number) => [...Array(n).keys()];

/** `"key":[a,b,…]` from element fragments. */
function arrayOf(pre: string, items: SqlFragment[]): SqlFragment {
  return join(plain(`${pre} || '[' || `), ...items.flatMap((f, i) => (i ? [plain(` || ',' || `), f] : [f])), plain(` || ']'`));
}

/**
 * The stored array at `path` with up to `max` elements (one or two: nearly every array of refs and
 * roles) rendered element by element without a subquery; `absent` (SQL) when there is no value at
 * `path`, which is what `general` gives then, without its subquery (staff have no agents); longer
 * arrays, and anything else, by `general`. The value's type is read once.
 */
function short(path: string, max: number, general: SqlFragment, unrolled: (n: number) => SqlFragment, absent = 'null'): SqlFragment {
  const has = (i: number) => `${json(stored(path, i))} is not null`;
  return join(
    plain(`case coalesce(jsonb_typeof(${at(path)}), 'absent') when 'absent' then ${absent} when 'array' then case when ${has(max)} then `), general,
    ...range(max).reverse().flatMap((i) => [plain(` when ${has(i)} then `), unrolled(i + 1)]),
    plain(' else '), general, plain(' end else '), general, plain(' end'),
  );
}

const join = (...fs: SqlFragment[]): SqlFragment => ({ sql: fs.map((f) => f.sql).join(''), bindings: fs.flatMap((f) => f.bindings) });

function property(p: Property, ctx: Ctx): SqlFragment {
  const pre = prefix(p.key);
  switch (p.kind) {
    case 'base':
      return plain(
        {
          sourcedId: `${pre} || to_json(r.sourced_id)::text`,
          status: `${pre} || '"' || r.status || '"'`,
          dateLastModified: `${pre} || '"' || ${ISO_MS} || '"'`,
          metadata: `${pre} || (${servedMetadata(ctx)})::text`,
        }[p.key],
      );
    case 'value':
      return plain(p.orEmpty ? `${pre} || coalesce(nullif(${at(p.path)}, 'null'::jsonb)::text, '""')` : `${pre} || (${at(p.path)})::text`);
    case 'bool': {
      const v = at(p.path);
      const absent = p.absentIs === undefined ? 'null' : quote(`"${p.absentIs}"`);
      // JavaScript truthiness of the stored JSON value: false, 0 and "" are false (a simple CASE reads the value once).
      return plain(`${pre} || case ${v} when 'true'::jsonb then '"true"' when 'false'::jsonb then '"false"' when '0'::jsonb then '"false"'
        when '""'::jsonb then '"false"' when 'null'::jsonb then ${absent} else case when ${v} is null then ${absent} else '"true"' end end`);
    }
    case 'oneOf': {
      const v = at(p.path);
      return plain(`case when jsonb_typeof(${v}) = 'string' and (r.data->>'${name(p.path)}') in (${p.values.map(quote).join(', ')}) then ${pre} || (${v})::text end`);
    }
    case 'ref': {
      const column = refIdColumn(ctx.entity, p.path);
      const ref = guidRef(stored(p.path), ctx, p.type, column && `r.${name(column)}`);
      if (!p.visibleOrgsOnly || !ctx.visible) return join(plain(`${pre} || `), ref);
      return join(plain('case when '), visibleOrg(stored(p.path), ctx), plain(` then ${pre} || `), ref, plain(' end'));
    }
    case 'refs': {
      const general = join(plain(`(select ${pre} || '[' || string_agg(`), guidRef(element, ctx, p.type), plain(`, ',' order by x.i) || ']' from ${elements(p.path)})`));
      return short(p.path, 2, general, (n) => arrayOf(pre, range(n).map((i) => guidRef(stored(p.path, i), ctx, p.type))));
    }
    case 'userRoleV1p1':
      return plain(`${pre} || to_json(case when r.role in (${ADMIN_ROLES}) then 'administrator' else r.role end)::text`);
    case 'userOrgsV1p1': {
      const org: Loc = { of: 'o.org', path: [] };
      // The distinct orgs of the roles in order; an empty array when none is visible, left out when there are no roles.
      const general = join(
        plain(`(select ${pre} || '[' || coalesce(string_agg(`), guidRef(org, ctx, 'org'), plain(`, ',' order by o.i) filter (where `), visibleOrg(org, ctx),
        plain(`), '') || ']' from (select distinct on (x.e->'org'->>'sourcedId') x.e->'org' as org, x.i from ${elements('roles')}
          order by x.e->'org'->>'sourcedId', x.i) o having count(*) > 0)`),
      );
      return ctx.visible ? general : short('roles', 1, general, () => arrayOf(pre, [guidRef(stored('roles', 0, 'org'), ctx, 'org', ONLY_ROLE_ORG_ID)]));
    }
    case 'userRolesV1p2': {
      const general = join(
        plain(`${pre} || '[' || coalesce((select string_agg(`), roleJson(element, ctx), plain(`, ',' order by x.i) from ${elements('roles')} where `),
        visibleOrg(within(element, 'org'), ctx),
        plain(`), '') || ']'`),
      );
      return ctx.visible ? general : short('roles', 1, general, () => arrayOf(pre, [roleJson(stored('roles', 0), ctx, ONLY_ROLE_ORG_ID)]), `${pre} || '[]'`);
    }
  }
}
