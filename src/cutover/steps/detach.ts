import { Client } from 'pg';
import { connectionOptions, inWords, type ConnectionTarget } from '../../db/connection-options';
import { quoteIdent, type Queryable } from '../../db/database';
import type { Hop } from '../../plan/plan';
import { type Step, sleep } from './step';

/** How long pg_promote waits for the standby to leave recovery (an archive-fed standby may fetch WAL first). */
const PROMOTE_WAIT_SECONDS = 60;
/** The promote's own statement timeout, above its wait: the pool's few seconds would cancel the wait, not the promotion. */
const PROMOTE_STATEMENT_TIMEOUT_MS = (PROMOTE_WAIT_SECONDS + 15) * 1000;

/** Detach the target from its source: promote, disable the subscription, or stop the DMS task. */
export function detachStep(hop: Hop): Step {
  return {
    id: 'detach',
    title: { physical: 'Promote the standby and confirm it left recovery', logical: 'Disable the subscription', dms: 'Stop the DMS task once the fence is seen' }[hop.method],
    describe: (d) =>
      d.hop.method === 'physical'
        ? [
            'on target: SELECT pg_is_in_recovery() (already promoted: nothing to do)',
            "on target: a pg_promote of an earlier attempt still waiting (pg_stat_activity wait_event 'Promote')? then only wait for the end of recovery",
            `else, on its own connection with statement_timeout ${PROMOTE_STATEMENT_TIMEOUT_MS / 1000} s: SELECT pg_promote(true, ${PROMOTE_WAIT_SECONDS})`,
            `on target: SELECT pg_is_in_recovery() until false (at most ${PROMOTE_WAIT_SECONDS} s)`,
          ]
        : d.hop.method === 'logical'
          ? [`on target: ALTER SUBSCRIPTION ${quoteIdent(d.hop.subscription ?? '?')} DISABLE`]
          : [`DMS StopReplicationTask ${d.hop.dms?.task}`, 'DescribeReplicationTasks until stopped'],
    async run(d) {
      const target = d.databases.get(hop.target.id);
      if (hop.method === 'physical') return promote(target, { url: d.targetUrl, tls: hop.target.tls });
      if (hop.method === 'logical') {
        await target.query(`ALTER SUBSCRIPTION ${quoteIdent(hop.subscription!)} DISABLE`);
        return `subscription ${hop.subscription} disabled`;
      }
      const task = await d.dms.report(hop);
      if (task.task?.status !== 'stopped') await d.dms.stop(hop);
      for (let i = 0; i < 600; i++) {
        const r = await d.dms.report(hop);
        if (r.task?.status === 'stopped') return `DMS task ${r.task.id} stopped`;
        await sleep(1000);
      }
      throw new Error('the DMS task did not stop within 10 minutes');
    },
    async undo(d) {
      if (hop.method === 'logical') {
        await d.databases.get(hop.target.id).query(`ALTER SUBSCRIPTION ${quoteIdent(hop.subscription!)} ENABLE`);
        return 'subscription enabled again';
      }
      if (hop.method === 'dms') {
        await d.dms.start(hop, 'resume-processing');
        return 'DMS task resumed';
      }
      return 'the target stays promoted; the source is untouched (nothing was written to the target)';
    },
  };
}

/**
 * Promotes the standby and returns once it left recovery. Safe to run again: promoted already →
 * nothing; an earlier attempt's pg_promote still waiting → wait with it; else request promotion
 * (asking again while one is under way only signals the server again).
 */
async function promote(target: Queryable, targetUrl: ConnectionTarget): Promise<string> {
  const inRecovery = async () => (await target.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
  if (!(await inRecovery())) return 'the target had already left recovery (promoted earlier)';
  const started = Date.now();
  const waiting = await target.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE wait_event = 'Promote' AND pid <> pg_backend_pid()");
  if (waiting.rows.length) {
    for (const deadline = Date.now() + PROMOTE_WAIT_SECONDS * 1000; Date.now() < deadline; await sleep(200)) {
      if (!(await inRecovery())) return `promoted: the target left recovery ${Date.now() - started} ms later (promotion requested by an earlier attempt, pid ${waiting.rows[0].pid})`;
    }
    throw new Error(`the target is still in recovery ${PROMOTE_WAIT_SECONDS} s after an earlier attempt requested promotion (pid ${waiting.rows[0].pid} waits in pg_promote); Resume waits again`);
  }
  const promoted = await promoteOnOwnConnection(targetUrl);
  if (await inRecovery()) {
    throw new Error(`the target is still in recovery ${Math.round((Date.now() - started) / 1000)} s after pg_promote (${promoted}); promotion was requested and may still finish: Resume waits for it`);
  }
  return `promoted: the target left recovery in ${Date.now() - started} ms`;
}

/** pg_promote(true, wait) on a connection of its own, under a statement timeout above that wait. */
async function promoteOnOwnConnection(targetUrl: ConnectionTarget): Promise<string> {
  const options = await connectionOptions(targetUrl, { connectTimeoutMs: 5000, statementTimeoutMs: PROMOTE_STATEMENT_TIMEOUT_MS, queryTimeoutMs: PROMOTE_STATEMENT_TIMEOUT_MS + 5000, applicationName: 'cutover' });
  const client = new Client(options.config);
  client.on('error', () => undefined);
  await client.connect().catch((e: unknown) => Promise.reject(inWords(e, options.tls)));
  try {
    const r = await client.query<{ promoted: boolean }>(`SELECT pg_promote(true, ${PROMOTE_WAIT_SECONDS}) AS promoted`);
    return r.rows[0].promoted ? 'pg_promote returned true' : `pg_promote gave up waiting after ${PROMOTE_WAIT_SECONDS} s`;
  } catch (e) {
    // Promotion finished between our look and our request: that is the outcome we want.
    if ((e as { code?: string }).code === '55000' && /recovery is not in progress/.test((e as Error).message)) return 'the target left recovery just before pg_promote';
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
}
