import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

export interface StandInTable {
  SchemaName: string;
  TableName: string;
  TableState: string;
  FullLoadRows: number;
  FullLoadErrorRows?: number;
  FullLoadStartTime?: number;
  FullLoadEndTime?: number;
  LastUpdateTime?: number;
  ValidationState?: string;
  ValidationFailedRecords?: number;
  ValidationPendingRecords?: number;
  ValidationSuspendedRecords?: number;
  Inserts?: number;
  Updates?: number;
  Deletes?: number;
}

export interface StandInTask {
  ReplicationTaskIdentifier: string;
  ReplicationTaskArn: string;
  Status: string;
  MigrationType: string;
  StopReason?: string;
  LastFailureMessage?: string;
  ReplicationTaskStats: {
    FullLoadProgressPercent: number;
    ElapsedTimeMillis: number;
    TablesLoaded: number;
    TablesLoading: number;
    TablesQueued: number;
    TablesErrored: number;
    StartDate?: number;
    FullLoadFinishDate?: number;
  };
  /** The task settings as DMS returns them: a JSON string (left out when asked WithoutSettings). */
  ReplicationTaskSettings: string;
  tables: StandInTable[];
  /** Set by StopReplicationTask: the next describe finds the task stopped. */
  stopRequested?: boolean;
  /** Changes DMS is still applying: each read of the table statistics finds them applied once more. */
  applying?: { table: string; change: { Inserts?: number; Updates?: number; Deletes?: number }; readsLeft: number }[];
}

/** Task settings JSON as DMS returns it (a few of its sections, DMS's defaults unless given). */
export function standInTaskSettings(over: { BatchApplyEnabled?: boolean; BatchApplyTimeoutMin?: number } = {}): string {
  return JSON.stringify({
    TargetMetadata: { TargetSchema: '', SupportLobs: true, FullLobMode: false, LobChunkSize: 64, LimitedSizeLobMode: true, LobMaxSize: 32, BatchApplyEnabled: over.BatchApplyEnabled ?? false, ParallelApplyThreads: 0 },
    FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING', MaxFullLoadSubTasks: 8, CommitRate: 10000 },
    ChangeProcessingTuning: { BatchApplyPreserveTransaction: true, BatchApplyTimeoutMin: over.BatchApplyTimeoutMin ?? 1, BatchApplyTimeoutMax: 30, BatchApplyMemoryLimit: 500, BatchSplitSize: 0, CommitTimeout: 1 },
    Logging: { EnableLogging: true },
  });
}

export interface DmsCall {
  operation: string;
  body: Record<string, unknown>;
}

/**
 * A local AWS DMS endpoint speaking the real wire protocol (AWS JSON 1.1): POST /, operation in
 * X-Amz-Target, epoch-second timestamps, errors as HTTP 400 with {"__type", "message"}.
 */
export class DmsStandIn extends LocalHttpServer {
  readonly calls: DmsCall[] = [];
  readonly tasks = new Map<string, StandInTask>();
  /** When set, every request gets this instead of an answer: a 500, silence, or garbage. */
  fault?: 'status-500' | 'hang' | 'garbage';
  /** Errors to answer before answering normally, per operation (in order). */
  readonly queuedErrors = new Map<string, { status: number; type: string; message: string }[]>();
  /** Runs before each answer: lets a caller make the tasks real (move data, refresh statistics). */
  beforeAnswer?: (operation: string, body: Record<string, unknown>) => Promise<void>;
  addTask(id: string, over: Partial<StandInTask> = {}): StandInTask {
    const task: StandInTask = {
      ReplicationTaskIdentifier: id,
      ReplicationTaskArn: `arn:aws:dms:us-east-1:123456789012:task:${id.toUpperCase()}`,
      Status: 'running',
      MigrationType: 'full-load-and-cdc',
      ReplicationTaskStats: { FullLoadProgressPercent: 0, ElapsedTimeMillis: 0, TablesLoaded: 0, TablesLoading: 0, TablesQueued: 0, TablesErrored: 0, StartDate: Math.floor(Date.now() / 1000) },
      ReplicationTaskSettings: standInTaskSettings(),
      tables: [],
      ...over,
    };
    this.tasks.set(task.ReplicationTaskArn, task);
    return task;
  }

  failNext(operation: string, type: string, message: string, status = 400): void {
    const q = this.queuedErrors.get(operation) ?? [];
    q.push({ status, type, message });
    this.queuedErrors.set(operation, q);
  }

  /**
   * The table's counters move by `change` at each of the next `reads` reads of the task's table
   * statistics (Infinity: they never settle), as while DMS still applies changes.
   */
  keepApplying(task: StandInTask, table: string, change: { Inserts?: number; Updates?: number; Deletes?: number }, reads: number): void {
    if (!task.tables.some((t) => t.TableName === table)) throw new Error(`no table ${table} in task ${task.ReplicationTaskIdentifier}`);
    (task.applying ??= []).push({ table, change, readsLeft: reads });
  }

  callsOf(operation: string): DmsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': `req-${this.calls.length}` });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !target.startsWith('AmazonDMSv20160101.') || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return send(400, { __type: 'UnknownOperationException', message: `bad request: ${req.method} ${target} ${req.headers['content-type']}` });
    }
    if (this.fault === 'hang') return;
    if (this.fault === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      return void res.end('<html>proxy error</html>');
    }
    if (this.fault === 'status-500') {
      res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
      return void res.end(JSON.stringify({ __type: 'InternalFailure', message: 'We encountered an internal error.' }));
    }
    const operation = target.slice('AmazonDMSv20160101.'.length);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    this.calls.push({ operation, body });
    const queued = this.queuedErrors.get(operation)?.shift();
    if (queued) return send(queued.status, { __type: queued.type, message: queued.message });
    try {
      await this.beforeAnswer?.(operation, body);
      send(200, this.answer(operation, body));
    } catch (e) {
      send(400, { __type: 'ResourceNotFoundFault', message: (e as Error).message });
    }
  }

  private applyOnce(t: StandInTask): void {
    for (const a of t.applying ?? []) {
      if (a.readsLeft <= 0) continue;
      a.readsLeft--;
      const row = t.tables.find((x) => x.TableName === a.table)!;
      row.Inserts = (row.Inserts ?? 0) + (a.change.Inserts ?? 0);
      row.Updates = (row.Updates ?? 0) + (a.change.Updates ?? 0);
      row.Deletes = (row.Deletes ?? 0) + (a.change.Deletes ?? 0);
      row.LastUpdateTime = Math.floor(Date.now() / 1000);
    }
  }

  private find(arnOrId: string): StandInTask {
    const t = this.tasks.get(arnOrId) ?? [...this.tasks.values()].find((x) => x.ReplicationTaskIdentifier === arnOrId);
    if (!t) throw new Error(`Replication Task not found: ${arnOrId}`);
    return t;
  }

  private answer(operation: string, body: Record<string, unknown>): unknown {
    const view = (t: StandInTask) => {
      const { tables: _tables, stopRequested: _stop, applying: _applying, ReplicationTaskSettings, ...rest } = t;
      return body.WithoutSettings === true ? rest : { ...rest, ReplicationTaskSettings };
    };
    switch (operation) {
      case 'DescribeReplicationTasks': {
        // A task asked to stop is stopped by the next look, as DMS does a little later.
        for (const t of this.tasks.values()) {
          if (t.stopRequested && t.Status === 'stopping') {
            t.Status = 'stopped';
            t.stopRequested = false;
          }
        }
        const filters = (body.Filters as { Name: string; Values: string[] }[] | undefined) ?? [];
        let list = [...this.tasks.values()];
        for (const f of filters) {
          list = list.filter((t) => f.Values.includes(f.Name === 'replication-task-arn' ? t.ReplicationTaskArn : t.ReplicationTaskIdentifier));
        }
        if (!list.length) throw new Error('No Tasks found matching provided filters');
        return { ReplicationTasks: list.map(view) };
      }
      case 'DescribeTableStatistics': {
        const t = this.find(String(body.ReplicationTaskArn));
        const max = Math.min(Number(body.MaxRecords ?? 100), 500);
        const from = Number(body.Marker ?? 0);
        if (!body.Marker) this.applyOnce(t);
        const page = t.tables.slice(from, from + max);
        return { ReplicationTaskArn: t.ReplicationTaskArn, TableStatistics: page, Marker: from + max < t.tables.length ? String(from + max) : undefined };
      }
      case 'StartReplicationTask': {
        const t = this.find(String(body.ReplicationTaskArn));
        t.Status = 'starting';
        t.StopReason = undefined;
        return { ReplicationTask: view(t) };
      }
      case 'StopReplicationTask': {
        const t = this.find(String(body.ReplicationTaskArn));
        t.Status = 'stopping';
        t.stopRequested = true;
        return { ReplicationTask: view(t) };
      }
      case 'ReloadTables': {
        const t = this.find(String(body.ReplicationTaskArn));
        return { ReplicationTaskArn: t.ReplicationTaskArn };
      }
      default:
        throw new Error(`operation ${operation} is not in the stand-in`);
    }
  }
}

/** `n` tables in the given state, with increasing full-load times (the last is the slowest). */
export function standInTables(n: number, state = 'Table completed', start = 0): StandInTable[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => ({
    SchemaName: 'public',
    TableName: `t_${String(start + i).padStart(5, '0')}`,
    TableState: state,
    FullLoadRows: 1000 + i,
    FullLoadStartTime: now - 3600,
    FullLoadEndTime: now - 3600 + (i % 600),
    LastUpdateTime: now,
    ValidationState: 'Validated',
    ValidationFailedRecords: 0,
    ValidationPendingRecords: 0,
    ValidationSuspendedRecords: 0,
  }));
}

export interface StandInMetric {
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: string }[];
}

/** A local CloudWatch endpoint (AWS JSON 1.0, as the SDK now speaks it) answering GetMetricData. */
export class CloudWatchStandIn extends LocalHttpServer {
  readonly requests: Record<string, unknown>[] = [];
  /** Newest-first points per metric name, [epoch seconds, value]. */
  readonly points = new Map<string, [number, number][]>();
  failWith?: { status: number; type: string; message: string };

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-amz-target'] !== 'GraniteServiceVersion20100801.GetMetricData') return send(400, { __type: 'UnknownOperationException', message: String(req.headers['x-amz-target']) });
    const body = JSON.parse(raw) as { MetricDataQueries: { Id: string; MetricStat: { Metric: StandInMetric } }[] };
    this.requests.push(body);
    if (this.failWith) return send(this.failWith.status, { __type: this.failWith.type, message: this.failWith.message });
    send(200, {
      MetricDataResults: body.MetricDataQueries.map((q) => {
        const pts = this.pointsFor(q.MetricStat.Metric);
        return { Id: q.Id, Label: q.MetricStat.Metric.MetricName, Timestamps: pts.map((p) => p[0]), Values: pts.map((p) => p[1]), StatusCode: 'Complete' };
      }),
      Messages: [],
    });
  }

  /** The points a query gets: DMS metrics by name; other namespaces through a subclass. */
  protected pointsFor(metric: StandInMetric): [number, number][] {
    return metric.Namespace === 'AWS/DMS' ? (this.points.get(metric.MetricName) ?? []) : [];
  }
}
