import type { DmsStandIn, StandInTable, StandInTask } from '../test/support/dms-stand-in';
import type { PgCluster } from '../test/support/pg-cluster';
import { PUBLICATION, SUBSCRIPTION } from './databases';

const TABLES = ['customers', 'orders', 'payments'];

/**
 * Makes the DMS stand-in's task real: starting it subscribes "Aurora" to "EC2" with logical
 * replication (which copies the rows and then streams changes, but, like DMS, never the sequences),
 * stopping it disables the subscription, and every describe reports what is really on the target.
 *
 * The copy of the demo data takes a second; the reported full load is paced over `fullLoadSeconds`
 * (five times slower with the "slow down DMS" switch) so that progress and its ETA can be watched.
 */
export class MovingDms {
  slow = false;
  /** While paused (the "pause replication" switch) the subscription is disabled under a running task. */
  private paused = false;
  private loaded = 0;
  private lastRefresh = 0;
  /** The start under way: describes come in parallel, and only one may subscribe (a second CREATE SUBSCRIPTION fails the task). */
  private starting?: Promise<void>;

  constructor(
    dms: DmsStandIn,
    private readonly task: StandInTask,
    private readonly source: PgCluster,
    private readonly target: PgCluster,
    private readonly fullLoadSeconds: number,
  ) {
    dms.beforeAnswer = (operation, body) => this.beforeAnswer(operation, body);
  }

  get running(): boolean {
    return this.task.Status === 'running';
  }

  async pause(on: boolean): Promise<void> {
    this.paused = on;
    if (this.running) await this.setEnabled(!on);
  }

  private async beforeAnswer(operation: string, body: Record<string, unknown>): Promise<void> {
    // Only a stop of this task stops it: the preflight probes Start/Stop on a task that cannot exist.
    if (operation === 'StopReplicationTask' && [this.task.ReplicationTaskArn, this.task.ReplicationTaskIdentifier].includes(String(body.ReplicationTaskArn))) await this.setEnabled(false);
    if (operation === 'DescribeReplicationTasks' || operation === 'DescribeTableStatistics') await this.refresh();
  }

  private async refresh(): Promise<void> {
    const t = this.task;
    if (t.Status === 'starting') await (this.starting ??= this.start().finally(() => (this.starting = undefined)));
    if (t.Status !== 'running') return;
    const now = Date.now();
    const full = t.ReplicationTaskStats;
    if (this.lastRefresh && full.FullLoadProgressPercent < 100) this.loaded += (now - this.lastRefresh) / 1000 / this.fullLoadSeconds / (this.slow ? 5 : 1);
    this.lastRefresh = now;
    const copied = await this.copiedTables();
    t.tables = TABLES.map((name, i) => this.tableStat(name, i, copied.get(name), now));
    const done = t.tables.filter((x) => x.TableState === 'Table completed').length;
    full.TablesLoaded = done;
    full.TablesLoading = t.tables.filter((x) => x.TableState === 'Full load').length;
    full.TablesQueued = TABLES.length - done - full.TablesLoading;
    full.FullLoadProgressPercent = done === TABLES.length ? 100 : Math.min(99, Math.floor(this.loaded * 100));
    if (full.FullLoadProgressPercent === 100 && !full.FullLoadFinishDate) full.FullLoadFinishDate = Math.floor(now / 1000);
    full.ElapsedTimeMillis = now - (full.StartDate ?? Math.floor(now / 1000)) * 1000;
  }

  /** Table i of n is done once the paced load passed its share and its rows really are on the target. */
  private tableStat(name: string, i: number, copied: { ready: boolean; rows: number } | undefined, now: number): StandInTable {
    const share = (i + 1) / TABLES.length;
    const started = this.loaded >= i / TABLES.length;
    const done = this.loaded >= share && copied?.ready === true;
    const rows = copied?.rows ?? 0;
    const nowS = Math.floor(now / 1000);
    return {
      SchemaName: 'public',
      TableName: name,
      TableState: done ? 'Table completed' : started ? 'Full load' : 'Before load',
      FullLoadRows: done ? rows : started ? Math.floor(rows * Math.min(1, (this.loaded - i / TABLES.length) * TABLES.length)) : 0,
      FullLoadErrorRows: 0,
      FullLoadStartTime: started ? (this.task.ReplicationTaskStats.StartDate ?? nowS) : undefined,
      FullLoadEndTime: done ? nowS : undefined,
      LastUpdateTime: nowS,
      ValidationState: done ? 'Validated' : 'Pending records',
      ValidationFailedRecords: 0,
      ValidationPendingRecords: 0,
      ValidationSuspendedRecords: 0,
    };
  }

  /** Subscribes the target to the source; a source that cannot decode (a standby) fails the task as DMS would. */
  private async start(): Promise<void> {
    const t = this.task;
    try {
      const exists = await this.target.sql('SELECT 1 FROM pg_subscription WHERE subname = $1', [SUBSCRIPTION], 'app');
      if (exists.length) await this.setEnabled(!this.paused);
      else await this.target.sql(`CREATE SUBSCRIPTION ${SUBSCRIPTION} CONNECTION 'host=127.0.0.1 port=${this.source.port} dbname=app user=postgres' PUBLICATION ${PUBLICATION}`, [], 'app');
      Object.assign(t, { Status: 'running', StopReason: undefined, LastFailureMessage: undefined });
      t.ReplicationTaskStats.StartDate ??= Math.floor(Date.now() / 1000);
    } catch (e) {
      Object.assign(t, { Status: 'failed', StopReason: 'Stop Reason FATAL_ERROR Error Level FATAL', LastFailureMessage: `Last Error ${(e as Error).message} Task error notification received from subtask 0` });
    }
  }

  private async setEnabled(on: boolean): Promise<void> {
    await this.target.sql(`ALTER SUBSCRIPTION ${SUBSCRIPTION} ${on ? 'ENABLE' : 'DISABLE'}`, [], 'app').catch(() => undefined);
  }

  private async copiedTables(): Promise<Map<string, { ready: boolean; rows: number }>> {
    const rows = await this.target.sql<{ name: string; state: string; n: string }>(
      `SELECT c.relname AS name, r.srsubstate AS state, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text AS n
         FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid WHERE c.relname = ANY($1)`,
      [TABLES],
      'app',
    );
    return new Map(rows.map((r) => [r.name, { ready: r.state === 'r', rows: Number(r.n) }]));
  }
}
