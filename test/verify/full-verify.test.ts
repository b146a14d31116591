import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** The text of every message posted in the thread of the full verify's progress message. */
function threadOf(h: BotHarness): string {
  const progress = h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Full verify of'));
  if (!progress) return '';
  return h.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === progress.result?.ts).map((c) => messageText(c.args)).join('\n');
}

const finalMessage = (h: BotHarness) => h.slack.callsOf('chat.update').map((c) => messageText(c.args)).find((t) => /Full verify of \S+ (finished|cancelled|failed)/.test(t));

describe('/migrate verify --full: every row of source and target compared inside the databases', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;

  // One table per key kind, identical on both ends; tables the target changes; values that differ only in representation.
  const ddl = (side: 'source' | 'target') => `
    CREATE TABLE k_int (id int PRIMARY KEY, v text, n numeric(12,2));
    CREATE TABLE k_bigint (id bigint PRIMARY KEY, v text, at timestamptz);
    CREATE TABLE k_uuid (id uuid PRIMARY KEY, v int, tags text[]);
    CREATE TABLE k_text (code text PRIMARY KEY, v double precision, blob bytea);
    CREATE TABLE k_composite (tenant int, code text, v jsonb, PRIMARY KEY (tenant, code));
    CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, balance numeric(14,2), note text);
    CREATE TABLE line_items (tenant int, line text, qty int, PRIMARY KEY (tenant, line));
    CREATE TABLE widths (id ${side === 'source' ? 'smallint' : 'int'} PRIMARY KEY,
      a ${side === 'source' ? 'int NOT NULL' : 'bigint'},
      b ${side === 'source' ? 'smallint NOT NULL' : 'int NOT NULL'},
      c ${side === 'source' ? 'bigint' : 'int NOT NULL'});
    CREATE TABLE log_lines (at timestamptz, msg text);
    CREATE TABLE audit_trail (at timestamptz, msg text);
    CREATE TABLE shapes (id int PRIMARY KEY,
      amount ${side === 'source' ? 'numeric(12,2)' : 'numeric'},
      at timestamptz,
      wall ${side === 'source' ? 'timestamptz' : 'timestamp'},
      doc ${side === 'source' ? 'json' : 'jsonb'},
      amounts numeric[],
      ratio double precision,
      raw bytea,
      synced_at timestamptz);
  `;
  const rows = `
    INSERT INTO k_int SELECT g, 'v' || g, g / 7.0 FROM generate_series(1, 30000) g;
    INSERT INTO k_bigint SELECT g::bigint * 1000003, 'v' || g, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 30000) g;
    INSERT INTO k_uuid SELECT md5(g::text)::uuid, g, ARRAY['a' || g, NULL, 'b'] FROM generate_series(1, 8000) g;
    INSERT INTO k_text SELECT 'code-' || g, g / 3.0, decode(md5(g::text), 'hex') FROM generate_series(1, 8000) g;
    INSERT INTO k_composite SELECT g % 7, 'c' || g, jsonb_build_object('g', g, 'half', g / 2.0) FROM generate_series(1, 8000) g;
    INSERT INTO accounts SELECT g, 'owner ' || (g % 97), g * 1.25, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 20000) g;
    INSERT INTO line_items SELECT g % 11, 'line-' || g, g FROM generate_series(1, 6000) g;
    INSERT INTO widths SELECT g, g * 100000 - 150000000, g - 1500, -g FROM generate_series(1, 3000) g;
    INSERT INTO log_lines SELECT timestamptz '2025-01-01 00:00:00+00' + g * interval '1 s', 'm' || g FROM generate_series(1, 3000) g;
    INSERT INTO audit_trail SELECT timestamptz '2025-01-01 00:00:00+00' + g * interval '1 s', 'a' || g FROM generate_series(1, 3000) g;
  `;

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql("CREATE ROLE cutover LOGIN PASSWORD 'pw'");
      await c.sql('CREATE DATABASE app');
      await c.sql(ddl(c === source ? 'source' : 'target') + rows, [], 'app');
    }
    // Same values, other spellings: scale, zone of input, key order and spacing, array scale.
    await source.sql(`INSERT INTO shapes VALUES
      (1, 12.50, '2025-03-01 12:00:00+00', '2025-03-01 12:00:00+00', '{"b": 1, "a": [1, 2]}', '{1.50, 2}', 0.1, '\\x00ff', '2025-03-01 10:00:00+00'),
      (2, 3.00, '2025-03-01 23:30:00-05', '2025-03-02 04:30:00+00', '{"x": {"z": null, "y": "t"}}', NULL, 1e-7, NULL, '2025-03-01 10:00:00+00')`, [], 'app');
    await target.sql("ALTER DATABASE app SET timezone TO 'Asia/Tokyo'");
    await target.sql(`INSERT INTO shapes VALUES
      (1, 12.5, '2025-03-01 21:00:00+09', '2025-03-01 12:00:00', '{"a":[1,2],"b":1}', '{1.5, 2.000}', 0.1, '\\x00ff', '2026-01-01 00:00:00+00'),
      (2, 3, '2025-03-02 04:30:00+00', '2025-03-02 04:30:00', '{"x":{"y":"t","z":null}}', NULL, 0.0000001, NULL, '2026-01-01 00:00:00+00')`, [], 'app');
    // The target loses a row, gains one and has one changed, in two tables; a table without a key differs by a row.
    await target.sql(`
      DELETE FROM accounts WHERE id = 777;
      INSERT INTO accounts VALUES (20001, 'owner x', 1.00, NULL);
      UPDATE accounts SET note = 'tampered' WHERE id = 15000;
      UPDATE line_items SET qty = -1 WHERE tenant = 8 AND line = 'line-3000';
      UPDATE widths SET a = NULL WHERE id = 42;
      UPDATE widths SET c = 0 WHERE id = 2999;
      DELETE FROM audit_trail WHERE msg = 'a1500';`, [], 'app');
    // Only the heartbeat replicates (logically): the tables differ as the test made them, and the target still shows the source's heartbeats.
    for (const c of [source, target]) {
      await c.sql('CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL); GRANT SELECT ON ALL TABLES IN SCHEMA public TO cutover; ANALYZE', [], 'app');
    }
    await source.sql('GRANT INSERT, UPDATE ON cutover_heartbeat TO cutover; CREATE PUBLICATION beats FOR TABLE cutover_heartbeat', [], 'app');
    await target.sql(`CREATE SUBSCRIPTION beats CONNECTION '${source.url('app')}' PUBLICATION beats`, [], 'app');
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: logical, source: source, target: target, subscription: beats }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { exclude_columns: { public.shapes: [synced_at] } }
`),
      databaseUrls: { SOURCE_URL: source.url('app', 'cutover', 'pw'), TARGET_URL: target.url('app', 'cutover', 'pw') },
    });
    expect(await h.command('U0ANYONE', 'verify hop-one --full')).toContain('Full verify of *hop-one* started');
    await eventually(() => finalMessage(h), 60_000, 'the full verify to finish');
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await target?.sql('DROP SUBSCRIPTION IF EXISTS beats', [], 'app').catch(() => undefined);
    await source?.stop('immediate');
    await target?.stop('immediate');
    folder.remove();
  });

  test('identical tables of each key kind (int, bigint, uuid, text, composite) compare equal, every row counted', async () => {
    const thread = await eventually(() => (threadOf(h).includes('Persistent differences') ? threadOf(h) : undefined), 10_000, 'the thread');
    for (const same of ['k_int', 'k_bigint', 'k_uuid', 'k_text', 'k_composite', 'log_lines']) expect(thread).not.toContain(`public.${same}\`:`);
    expect(thread).toMatch(/Full verify of hop-one\* \(live source\): 11 tables, 119,002 rows/);
  });

  test('a deleted, an inserted and an updated row on the target are each named with their key and columns', async () => {
    const thread = threadOf(h);
    expect(thread).toContain('`public.accounts`: 3 differing keys:');
    const accounts = thread.split('\n').find((l) => l.includes('`public.accounts`'))!;
    expect(accounts).toContain('id=777 missing on the target');
    expect(accounts).toContain('id=20001 extra on the target');
    expect(accounts).toContain('id=15000 different (note)');
    expect(thread).toContain('`public.line_items`: 1 differing key: (tenant, line)=(8, line-3000) different (qty)');
    // int2/int4/int8 of one value hash alike, NOT NULL columns are hashed without a NULL stand-in: only the real changes show.
    const widths = thread.split('\n').find((l) => l.includes('`public.widths`'))!;
    expect(widths).toContain('`public.widths`: 2 differing keys: ');
    expect(widths.split(': ').pop()!.split('; ').sort()).toEqual(['id=2999 different (c)', 'id=42 different (a)']);
    // The CSV is uploaded last, after the summary.
    const csv = await eventually(() => [...h.slack.uploads.values()].map((b) => b.toString()).join('') || undefined, 10_000, 'the CSV of differing keys');
    expect(csv.split('\n').filter((l) => l.startsWith('public.accounts,')).sort()).toEqual([
      'public.accounts,id,15000,different,note,persistent',
      'public.accounts,id,20001,extra,,persistent',
      'public.accounts,id,777,missing,,persistent',
    ]);
    expect(finalMessage(h)).toContain('Full verify of hop-one finished: 7 persistent differences');
    // Live source: each was looked at again once the target showed a heartbeat written after the first look.
    expect(thread).not.toContain('not confirmed');
  });

  test('a table without a primary key is compared as a whole', async () => {
    const thread = threadOf(h);
    expect(thread).toContain('`public.audit_trail`: no primary key, compared as a whole: differs (3,000 rows on the source, 2,999 on the target)');
    expect(thread).toMatch(/Compared as a whole \(no primary key\), equal: `public\.log_lines`/);
  });

  test('values that differ only in representation (numeric scale, timestamptz zone, json key order, arrays) compare equal; excluded columns are not compared', async () => {
    // As text the rows differ on every compared column but the id and the float: the comparison is by value.
    const asText = async (c: PgCluster) => (await c.sql<{ r: string }>('SELECT (amount, at, wall, doc, amounts)::text AS r FROM shapes ORDER BY id', [], 'app')).map((x) => x.r);
    const [s, t] = await Promise.all([asText(source), asText(target)]);
    s.forEach((row, i) => expect(row).not.toEqual(t[i]));
    expect(threadOf(h)).not.toContain('`public.shapes`');
  });

  test('the latest full verify is a warning in health and a line in status', async () => {
    const health = await h.command('U0ANYONE', 'health hop-one');
    expect(health).toMatch(/Full verify:\* 7 persistent differences, 0 in flight, 0\.0 h ago \(live source\)/);
    const status = await h.command('U0ANYONE', 'status');
    expect(status).toContain('Full verify:* 7 persistent differences');
  });
});
