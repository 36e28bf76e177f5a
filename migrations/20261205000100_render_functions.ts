import type { Knex } from 'knex';

/**
 * Helpers for rendering OneRoster JSON in SQL (src/api/render): the rare cases that need more than
 * an expression. The renderer calls them only when a value needs them (an id with characters to
 * escape, user flags not already as SDS accepts them), so the common row pays no function call.
 *
 * - rollcall_uri_component(text): JavaScript's encodeURIComponent, UTF-8 bytes as %XX.
 * - rollcall_sds_user_flags(text): user flags as SDS accepts them (used by the next one).
 * - rollcall_served_metadata(jsonb, boolean): `metadata` as served. `microsoft.userFlags` respelled
 *   as SDS accepts it (known flags in canonical spelling, comma-separated, first occurrence first;
 *   unknown ones left out), or taken out when the client may not see user flags; an object left
 *   empty is no metadata at all (null). The flag list mirrors USER_FLAGS in src/model/vocab.ts; a
 *   test compares this function with the TypeScript one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create or replace function rollcall_uri_component(s text) returns text
    language sql immutable strict parallel safe as $$
      select coalesce(string_agg(
        case when ch ~ '^[A-Za-z0-9_.!~*''()-]$' then ch
             else upper(regexp_replace(encode(convert_to(ch, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) end,
        '' order by i), '')
      from regexp_split_to_table(s, '') with ordinality as t(ch, i)
    $$`);

  await knex.raw(`create or replace function rollcall_sds_user_flags(raw text) returns text
    language sql immutable strict parallel safe as $$
      select coalesce(string_agg(flag, ',' order by first), '')
      from (
        select known.flag, min(t.i) as first
        from regexp_split_to_table(raw, '[,;]') with ordinality as t(f, i)
        join (values ('freeLunch'), ('homeless'), ('giftedOrTalented'), ('504'), ('ELL'), ('LEP'), ('IEP')) as known(flag)
          on lower(known.flag) = lower(btrim(t.f, ' \t\r\n'))
        group by known.flag
      ) flags
    $$`);

  await knex.raw(`create or replace function rollcall_served_metadata(m jsonb, share_flags boolean) returns jsonb
    language sql immutable parallel safe as $$
      select case
        when m is null or jsonb_typeof(m) <> 'object' or m->'microsoft.userFlags' is null then m
        when not share_flags then nullif(m - 'microsoft.userFlags', '{}'::jsonb)
        when jsonb_typeof(m->'microsoft.userFlags') <> 'string' then m
        else nullif(
          (m - 'microsoft.userFlags')
            || (select case when f <> '' then jsonb_build_object('microsoft.userFlags', f) else '{}'::jsonb end
                from rollcall_sds_user_flags(m->>'microsoft.userFlags') as f),
          '{}'::jsonb)
      end
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists rollcall_served_metadata(jsonb, boolean)');
  await knex.raw('drop function if exists rollcall_sds_user_flags(text)');
  await knex.raw('drop function if exists rollcall_uri_component(text)');
}
