import { createHash } from 'node:crypto';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { BotHarness } from '../support/bot-harness';
import { approveBy } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';
import { CHANNEL } from '../support/test-plan';

const TABLES = 38;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * A sequence fix of 40 statements through approval: approvers see every statement (code blocks in
 * the request, the complete file in its thread), only the statements whose hash was shown run, and
 * the source's values are read when the fix runs, not when it was asked for.
 */
describe('approving a sequence fix', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql('CREATE DATABASE app');
      await c.sql(`DO $$ BEGIN FOR i IN 1..${TABLES} LOOP EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, v text)', i); END LOOP; END $$`, [], 'app');
    }
    // Rows copied with their ids (as replication does); the source's sequences advanced with them.
    await source.sql(`DO $$ BEGIN FOR i IN 1..${TABLES} LOOP EXECUTE format('INSERT INTO t%s (v) SELECT ''x'' FROM generate_series(1, 20)', i); END LOOP; END $$`, [], 'app');
    await target.sql(`DO $$ BEGIN FOR i IN 1..${TABLES} LOOP EXECUTE format('INSERT INTO t%s SELECT g, ''x'' FROM generate_series(1, 20) g', i); END LOOP; END $$`, [], 'app');
    // A standalone sequence the app calls itself: missing on the target (2 statements: create, setval).
    await source.sql("CREATE SEQUENCE invoice_no; SELECT setval('invoice_no', 700)", [], 'app');
    h = await BotHarness.start({ plan: replicationPlan({ method: 'logical', subscription: 'sub' }), databaseUrls: { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') } });
    await h.command('U0OPS1', 'lock cutover of hop-one');
  });
  afterAll(async () => {
    await h.stop();
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  });

  const nextval = async (seq: string) => (await target.sql<{ v: string }>(`SELECT nextval('${seq}')::text AS v`, [], 'app'))[0].v;

  test('40 statements: all in code blocks and in the file in the request thread, hash shown; the source moving on before approval is followed', async () => {
    expect(await h.command('U0OPS1', 'sequences fix')).toContain('The fix is 40 statements');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    expect(req.code).toMatchObject({ statements: 40, filename: 'sequence-fix-hop-one.sql' });

    // The request in the plan's channel: the count, the hash, the statements as code.
    const post = h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Approval needed: Fix 40'))!;
    expect(post.args.channel).toBe(CHANNEL);
    const shown = messageText(post.args);
    expect(shown).toContain(`*40 statements*, all in \`sequence-fix-hop-one.sql\` in this request's thread · sha256 \`${req.code!.sha256}\``);
    expect(shown).toContain("```-- Sequence fix for hop-one on target: 40 statements");
    expect(shown).toContain(`SELECT setval('"public"."t1_id_seq"', GREATEST((SELECT max("id") FROM "public"."t1") + 1, $1::bigint,`);
    expect(shown).toContain('-- $1 = next value of public.t1_id_seq on the source (21 when requested)');

    // The complete file, in the request's thread in the plan's channel; its bytes hash to what was shown.
    const done = h.slack.callsOf('files.completeUploadExternal');
    expect(done).toHaveLength(1);
    expect(done[0].args).toMatchObject({ channel_id: CHANNEL, thread_ts: req.message!.ts });
    const fileId = (JSON.parse(String(done[0].args.files)) as { id: string }[])[0].id;
    const file = h.slack.uploads.get(fileId)!;
    expect(sha256(file)).toBe(req.code!.sha256);
    const statements = file.toString('utf8').split('\n').filter((l) => l && !l.startsWith('--'));
    expect(statements).toHaveLength(40);
    for (let i = 1; i <= TABLES; i++) expect(statements.some((s) => s.includes(`"public"."t${i}"`))).toBe(true);
    // Every statement is readable in the request itself too.
    for (const s of statements) expect(shown).toContain(s);
    expect(statements).toContain('CREATE SEQUENCE IF NOT EXISTS "public"."invoice_no" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1;');

    // The source moves on between the request and the approval.
    await source.sql("SELECT nextval('t1_id_seq') FROM generate_series(1, 500); SELECT setval('invoice_no', 8000)", [], 'app');
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    const run = await eventually(async () => {
      const r = (await h.bots[0].cutover.approvalStore.get(req.id))?.run;
      return r?.status === 'succeeded' || r?.status === 'failed' ? r : undefined;
    }, 15_000, 'the fix to run');
    expect(run.status).toBe('succeeded');
    expect(run.result).toMatch(/^40 statements ran in one transaction with the source's next values read at \d\d:\d\d:\d\d UTC: .*public\.t1_id_seq 521 \(21 at request time\)/);
    expect(run.result).toContain('no sequence behind');
    expect(await nextval('t1_id_seq')).toBe('521');
    expect(await nextval('t2_id_seq')).toBe('21');
    expect(await nextval('invoice_no')).toBe('8001');
    // The result is shown in the request, where the approvers are: the run is recorded first, the request redrawn with it a moment later.
    const newestEdit = () => h.slack.callsOf('chat.update').filter((c) => c.args.ts === req.message!.ts).map((c) => messageText(c.args)).pop() ?? '';
    await eventually(() => newestEdit().includes('public.t1_id_seq 521 (21 at request time)'), 5000, 'the result in the request');
    expect(newestEdit()).toContain('public.t1_id_seq 521 (21 at request time)');
  });

  test('statements changed after the request (their hash no longer matches) are refused, and nothing runs', async () => {
    await target.sql('INSERT INTO t2 SELECT g FROM generate_series(100, 150) g', [], 'app');
    expect(await h.command('U0OPS1', 'sequences fix')).toContain('The fix is 1 statement;');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    // Someone with access to the bot's Redis swaps the statement for another.
    const { redis, keys } = h.bots[0].cutover;
    const stored = JSON.parse((await redis.get(keys.approval(req.id)))!) as { params: { statements: { sql: string }[] } };
    stored.params.statements[0].sql = `SELECT setval('"public"."t2_id_seq"', 5, false);`;
    await redis.set(keys.approval(req.id), JSON.stringify(stored), 'KEEPTTL');
    await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id)).key);
    await h.slack.replyTo((await h.click('U0APP2', APPROVE_ACTION, req.id)).key);
    const run = await eventually(async () => {
      const r = (await h.bots[0].cutover.approvalStore.get(req.id))?.run;
      return r?.status === 'succeeded' || r?.status === 'failed' ? r : undefined;
    }, 15_000, 'the fix to end');
    expect(run.status).toBe('failed');
    expect(run.result).toMatch(/the statements to run are not the ones shown \(sha256 [0-9a-f]{12}… ≠ [0-9a-f]{12}…\); nothing was run/);
    // t2's sequence was neither moved to 5 nor fixed: nextval gives what it gave before, plus one.
    expect(await nextval('t2_id_seq')).toBe('22');
  });
});
