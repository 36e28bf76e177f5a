import type { Knex } from 'knex';

/**
 * rollcall_guid_ref_tail(id text, ref jsonb): a GUIDRef's JSON after its href's base URL, for the
 * refs src/api/render does not write inline: a type other than the one its property nearly always
 * holds, or an id with characters to encode or escape. `id` is the ref's sourcedId as text (read
 * from `ref` or from a column holding the same), `ref` the stored {sourcedId, type}. As the
 * TypeScript serializers do: the href names the type's collection ("undefined" for a type that is
 * not OneRoster's) and the id as encodeURIComponent encodes it; sourcedId and type as stored.
 * NULL when the ref, its id or its type is absent. PL/pgSQL, so the planner never inlines it into
 * the rendering statement, which stays small to parse and plan.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create or replace function rollcall_guid_ref_tail(id text, ref jsonb) returns text
    language plpgsql immutable strict parallel safe as $$
    declare
      ref_type text := ref->>'type';
      collection text := case ref_type when 'org' then 'orgs' when 'academicSession' then 'academicSessions' when 'course' then 'courses'
                                   when 'class' then 'classes' when 'user' then 'users' when 'resource' then 'resources' end;
    begin
      return '/' || coalesce(collection, 'undefined') || '/'
        || case when id ~ '^[A-Za-z0-9_.!~*''()-]*$' then id || '","sourcedId":"' || id || '"'
                else rollcall_uri_component(id) || '","sourcedId":' || (ref->'sourcedId')::text end
        || case when collection is null then ',"type":' || (ref->'type')::text || '}' else ',"type":"' || ref_type || '"}' end;
    end
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists rollcall_guid_ref_tail(text, jsonb)');
}
