import Knex from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
const N = 200000;
const esc = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' } as any)[c]);
const rows = Array.from({ length: N }, (_, i) => [String(i + 2), 'enr-' + i, 'active', JSON.stringify({ class: { sourcedId: 'cls-' + (i % 5000), type: 'class' }, user: { sourcedId: 'usr-' + (i % 25000), type: 'user' }, school: { sourcedId: 'sch-1', type: 'org' }, role: 'student', primary: 'false', beginDate: '2026-08-20' })]);
async function go(db: any, engine: string) {
  await db.raw('drop table if exists t');
  await db.raw('create table t (tenant_id text, sid text, status text, data jsonb, h text, dlm timestamptz, cls text, usr text, primary key (tenant_id, sid))');
  await db.raw('create index on t (tenant_id, dlm)'); await db.raw('create index on t (tenant_id, cls)');
  await db.transaction(async (trx: any) => {
    await trx.raw('create temp table s (line int, sid text, status text, data jsonb) on commit drop');
    let t0 = Date.now();
    for (let i = 0; i < N; i += 10000) {
      const text = rows.slice(i, i + 10000).map((r) => r.map(esc).join('\t')).join('\n') + '\n';
      if (engine === 'pg') {
        const conn = await trx.client.acquireConnection();
        await pipeline(Readable.from([text]), conn.query(copyFrom('COPY s FROM STDIN')));
      } else {
        await trx.raw(`COPY s FROM '/dev/blob'`).options({ blob: new Blob([text]) });
      }
    }
    const st = Date.now() - t0; t0 = Date.now();
    await trx.raw(`insert into t select 'x', sid, status, data, 'h', now(), data->'class'->>'sourcedId', data->'user'->>'sourcedId' from s on conflict (tenant_id, sid) do update set data = excluded.data where t.h is distinct from excluded.h`);
    console.log(engine, 'copy-stage', st, 'merge', Date.now() - t0, (await trx.raw('select count(*) from s')).rows[0]);
  });
}
const pg = Knex({ client: 'pg', connection: 'postgres://postgres@127.0.0.1:5432/test' });
await go(pg, 'pg'); await pg.destroy();
const lite = Knex({ client: ClientPgLite as any, connection: () => ({ pglite: new PGlite() }) } as any);
await go(lite, 'pglite'); await lite.destroy();
