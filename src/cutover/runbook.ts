import { readHeartbeat, writeHeartbeat } from '../checks/heartbeat';
import { readArchiver, readReplicaConnections } from '../checks/physical-probes';
import type { DatabaseSet } from '../db/database-set';
import { quoteIdent } from '../db/database';
import type { DmsMonitor } from '../dms/dms-monitor';
import type { RollbarDeploys } from '../health/rollbar-deploys';
import type { AppControl } from '../platform/app-control';
import type { Hop, Plan } from '../plan/plan';
import { needsFix } from '../sequences/sequence-audit';
import { sequenceFixSql } from '../sequences/sequence-fix';
import type { SequenceService } from '../sequences/sequence-service';
import type { CutoverRun } from './cutover-run';

export interface RunbookDeps {
  plan: Plan;
  hop: Hop;
  databases: DatabaseSet;
  app: AppControl;
  sequences: SequenceService;
  dms: DmsMonitor;
  deploys: RollbarDeploys;
  sourceUrl: string;
  targetUrl: string;
  fenceTimeoutMs: number;
  /** Records something on the run (formation to restore, deploy id, the downtime clock). */
  note(change: (run: CutoverRun) => CutoverRun): Promise<CutoverRun>;
  run: () => CutoverRun;
}

export class FenceTimeout extends Error {}

export interface Step {
  id: string;
  title: string;
  /** Runs the step; safe to run again after an interruption. Returns a one-line result. */
  run(d: RunbookDeps): Promise<string>;
  /** The exact calls and SQL, for --dry-run. */
  describe(d: Pick<RunbookDeps, 'plan' | 'hop'>): string[];
  /** Puts back what this step did, for an abort before the app took writes on the target. */
  undo?(d: RunbookDeps): Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runbook of a hop, steps 1 to 9, in order. */
export function runbook(hop: Hop): Step[] {
  const configVar = hop.app?.configVar ?? 'DATABASE_URL';
  const hb = (d: Pick<RunbookDeps, 'plan'>) => `${quoteIdent(d.plan.heartbeat.schema)}.${quoteIdent(d.plan.heartbeat.table)}`;
  return [
    {
      id: 'announce',
      title: 'Announce; Rollbar deploy marker "started"',
      describe: () => ['post the timeline in the channel', 'POST /api/1/deploy {"status": "started"} (with ROLLBAR_WRITE_TOKEN)'],
      async run(d) {
        if (d.run().deployId !== undefined || !d.deploys.enabled) return d.deploys.enabled ? 'deploy marker already started' : 'no ROLLBAR_WRITE_TOKEN: no deploy marker';
        const id = await d.deploys.start(`cutover ${hop.id}`, d.run().requester, `Cutover of ${hop.source.id} → ${hop.target.id}`);
        await d.note((r) => ({ ...r, deployId: id }));
        return `deploy marker ${id} started`;
      },
      async undo(d) {
        const id = d.run().deployId;
        if (id !== undefined) await d.deploys.finish(id, 'failed');
        return id !== undefined ? `deploy marker ${id} marked failed` : 'no deploy marker';
      },
    },
    {
      id: 'stop-writes',
      title: 'Stop the app: maintenance mode on, processes scaled to 0',
      describe: (d) => d.hop.app ? [`Heroku app ${d.hop.app.name}:`, ...herokuCalls(d.hop, 'stop')] : ['(no app in the plan)'],
      async run(d) {
        const types = hop.app?.processTypes ?? ['web'];
        // The formation to restore is saved before scaling, once: a rerun after an interruption must not save the zeros.
        if (!d.run().savedFormation) {
          const current = await d.app.formation(types);
          await d.note((r) => ({ ...r, savedFormation: r.savedFormation ?? current }));
        }
        await d.app.stopWrites(types);
        await d.note((r) => ({ ...r, writesStoppedAt: r.writesStoppedAt ?? Date.now() }));
        const saved = d.run().savedFormation ?? [];
        return `maintenance on; ${saved.map((f) => `${f.type} ${f.quantity} → 0`).join(', ') || 'no processes to scale'}`;
      },
      async undo(d) {
        await d.app.startWrites(d.run().savedFormation ?? []);
        return 'app back on the source: maintenance off, formation restored';
      },
    },
    {
      id: 'fence',
      title: 'Fence: final heartbeat on the source, wait until the target shows it',
      describe: (d) => [`on source: INSERT INTO ${hb(d)} … ON CONFLICT (source) DO UPDATE SET seq = seq + 1 RETURNING seq`, `on target: SELECT seq FROM ${hb(d)} WHERE source = '${d.hop.source.id}' until seq ≥ that (timeout ${d.plan.cutover.fenceTimeoutSeconds} s)`],
      async run(d) {
        const beat = await writeHeartbeat(d.databases.get(hop.source.id), d.plan.heartbeat, hop.source.id);
        const deadline = Date.now() + d.fenceTimeoutMs;
        for (;;) {
          const seen = await readHeartbeat(d.databases.get(hop.target.id), d.plan.heartbeat, hop.source.id).catch(() => undefined);
          if (seen && seen.seq >= beat.seq) return `target has heartbeat ${beat.seq} ${Date.now() - beat.at} ms after it was written`;
          if (Date.now() > deadline) throw new FenceTimeout(`the target did not show heartbeat ${beat.seq} within ${d.fenceTimeoutMs / 1000} s (newest seen: ${seen?.seq ?? 'none'})`);
          await sleep(100);
        }
      },
    },
    {
      id: 'detach',
      title: { physical: 'Promote the standby and confirm it left recovery', logical: 'Disable the subscription', dms: 'Stop the DMS task once the fence is seen' }[hop.method],
      describe: (d) =>
        d.hop.method === 'physical'
          ? ['on target: SELECT pg_promote(true, 60)', 'on target: SELECT pg_is_in_recovery() until false']
          : d.hop.method === 'logical'
            ? [`on target: ALTER SUBSCRIPTION ${quoteIdent(d.hop.subscription ?? '?')} DISABLE`]
            : [`DMS StopReplicationTask ${d.hop.dms?.task}`, 'DescribeReplicationTasks until stopped'],
      async run(d) {
        const target = d.databases.get(hop.target.id);
        if (hop.method === 'physical') {
          const inRecovery = async () => (await target.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
          if (await inRecovery()) await target.query('SELECT pg_promote(true, 60)');
          if (await inRecovery()) throw new Error('the target is still in recovery after pg_promote');
          return 'promoted: the target left recovery';
        }
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
    },
    {
      id: 'sequences',
      title: hop.method === 'physical' ? 'Check sequences on the target' : 'Check and fix sequences on the target',
      describe: () => ['audit every sequence on the target (one catalog query)', hop.method === 'physical' ? 'fail if any is behind' : 'SELECT setval(…, GREATEST(max + increment, source next, own next), false) for each one behind, in one transaction; recreate lost defaults; audit again'],
      async run(d) {
        const { audit } = await d.sequences.audit(hop);
        if (!needsFix(audit)) return `${audit.findings.length} sequences ahead of their columns`;
        if (hop.method === 'physical') throw new Error('sequences are behind on a physical standby: look before going on');
        const sql = sequenceFixSql(audit, d.plan.sequences.safetyGap);
        const after = await d.sequences.apply(hop, sql);
        if (needsFix(after.audit)) throw new Error(`${sql.length} statements ran, yet sequences are still behind`);
        return `${sql.length} statements fixed the sequences; audit afterwards clean`;
      },
    },
    {
      id: 'repoint',
      title: 'Point the app at the target',
      describe: (d) => (d.hop.app ? herokuCalls(d.hop, 'point') : []),
      run: (d) => d.app.pointAt(configVar, d.targetUrl),
      async undo(d) {
        return `back to the source: ${await d.app.pointAt(configVar, d.sourceUrl)}`;
      },
    },
    {
      id: 'app-back',
      title: 'App back: maintenance off, formation restored',
      describe: (d) => (d.hop.app ? herokuCalls(d.hop, 'start') : []),
      async run(d) {
        await d.app.startWrites(d.run().savedFormation ?? []);
        await d.note((r) => ({ ...r, appBackAt: r.appBackAt ?? Date.now() }));
        return `maintenance off; ${(d.run().savedFormation ?? []).map((f) => `${f.type} → ${f.quantity}`).join(', ')}`;
      },
    },
    {
      id: 'verify',
      title: 'Test write, replication and archiving, error-rate watch',
      describe: (d) => [`on target: INSERT INTO ${hb(d)} (source '${d.hop.target.id}') … (a test write)`, 'pg_stat_archiver and pg_stat_replication on the target', `Rollbar error rate watched for ${d.plan.cutover.errorWatchMinutes} min with the cutover threshold`],
      async run(d) {
        const target = d.databases.get(hop.target.id);
        const beat = await writeHeartbeat(target, d.plan.heartbeat, hop.target.id);
        const [archiver, replicas] = await Promise.all([readArchiver(target), readReplicaConnections(target)]);
        const arch = archiver.mode === 'off' ? 'WAL archiving OFF' : `archiving: ${archiver.archived} archived, ${archiver.failed} failed`;
        const reps = replicas === 'hidden' ? 'standbys hidden' : `${replicas.length} standby${replicas.length === 1 ? '' : 's'}`;
        return `test write ok (heartbeat ${beat.seq}); ${arch}; ${reps}; error rate watched for ${d.plan.cutover.errorWatchMinutes} min`;
      },
    },
    {
      id: 'done',
      title: 'Hop complete; deploy marker "succeeded"',
      describe: () => ['the hop is marked done and the next hop becomes current', 'PATCH /api/1/deploy/{id} {"status": "succeeded"}'],
      async run(d) {
        const id = d.run().deployId;
        if (id !== undefined) await d.deploys.finish(id, 'succeeded');
        return id !== undefined ? `deploy marker ${id} succeeded` : 'done';
      },
    },
  ];
}

function herokuCalls(hop: Hop, step: 'stop' | 'point' | 'start'): string[] {
  if (hop.app?.platform === 'webhook') {
    const to = `POST <the URL in ${hop.app.webhookUrlEnv}>`;
    if (step === 'stop') return [`${to} {"action": "formation", "process_types": [${hop.app.processTypes.map((t) => `"${t}"`).join(', ')}]}`, `${to} {"action": "stop-writes", …}`];
    if (step === 'start') return [`${to} {"action": "start-writes", "formation": [the saved formation]}`];
    return [`${to} {"action": "point-at", "config_var": "${hop.app.configVar}", "database_url": <the URL in ${hop.target.urlEnv}>}`];
  }
  const app = hop.app?.name ?? '?';
  if (step === 'stop') return [`GET /apps/${app}/formation`, `PATCH /apps/${app} {"maintenance": true}`, `PATCH /apps/${app}/formation {"updates": [${(hop.app?.processTypes ?? []).map((t) => `{"type": "${t}", "quantity": 0}`).join(', ')}]}`];
  if (step === 'start') return [`PATCH /apps/${app}/formation {"updates": [the saved quantities]}`, `PATCH /apps/${app} {"maintenance": false}`];
  return [
    `GET /apps/${app}/config-vars`,
    `GET /apps/${app}/addon-attachments — if ${hop.app?.configVar} is owned by an attachment: POST /addon-attachments {"name": "CUTOVER_OLD_…"}, DELETE the owning attachment`,
    `PATCH /apps/${app}/config-vars {"${hop.app?.configVar}": <the URL in ${hop.target.urlEnv}>}`,
  ];
}
