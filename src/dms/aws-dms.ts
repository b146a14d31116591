import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  DescribeTableStatisticsCommand,
  ReloadTablesCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
  type ReplicationTask,
  type TableStatistics,
} from '@aws-sdk/client-database-migration-service';
import { DmsApiError, type DmsPort, type DmsTableStat, type DmsTask } from './dms-port';

const ms = (d?: Date) => (d ? d.getTime() : undefined);

/**
 * DMS through the AWS SDK: credentials and region from the SDK's standard chain, the endpoint
 * from AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE when set. Throttling is retried by the SDK.
 */
export function awsDms(region: string, maxAttempts = 4, requestTimeoutMs = 10_000): DmsPort {
  // Without a request timeout, an endpoint that accepts and never answers would hang the bot.
  const client = new DatabaseMigrationServiceClient({ region, maxAttempts, requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: 3000, throwOnRequestTimeout: true } });
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      throw toDmsError(e);
    }
  };
  const describeTask = (task: string, opts: { withSettings?: boolean } = {}) =>
    call(async () => {
      const filter = task.startsWith('arn:') ? 'replication-task-arn' : 'replication-task-id';
      const out = await client.send(new DescribeReplicationTasksCommand({ Filters: [{ Name: filter, Values: [task] }], WithoutSettings: !opts.withSettings }));
      const found = out.ReplicationTasks?.[0];
      if (!found) throw new DmsApiError('not-found', 'ResourceNotFoundFault', `no replication task "${task}"`);
      return toTask(found);
    });
  return {
    describeTask,
    tableStatistics: (taskArn) =>
      call(async () => {
        const rows: DmsTableStat[] = [];
        let marker: string | undefined;
        do {
          const page = await client.send(new DescribeTableStatisticsCommand({ ReplicationTaskArn: taskArn, MaxRecords: 500, Marker: marker }));
          for (const t of page.TableStatistics ?? []) rows.push(toTableStat(t));
          marker = page.Marker;
        } while (marker);
        return rows;
      }),
    startTask: (taskArn, type) =>
      call(async () => toTask((await client.send(new StartReplicationTaskCommand({ ReplicationTaskArn: taskArn, StartReplicationTaskType: type }))).ReplicationTask ?? {})),
    stopTask: (taskArn) => call(async () => toTask((await client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: taskArn }))).ReplicationTask ?? {})),
    reloadTables: (taskArn, tables) =>
      call(async () => {
        await client.send(new ReloadTablesCommand({ ReplicationTaskArn: taskArn, TablesToReload: tables.map((t) => ({ SchemaName: t.schema, TableName: t.table })), ReloadOption: 'data-reload' }));
      }),
  };
}

function toTask(t: ReplicationTask): DmsTask {
  const s = t.ReplicationTaskStats ?? {};
  return {
    arn: t.ReplicationTaskArn ?? '',
    id: t.ReplicationTaskIdentifier ?? '',
    status: t.Status ?? 'unknown',
    migrationType: t.MigrationType ?? 'unknown',
    stopReason: t.StopReason,
    lastFailureMessage: t.LastFailureMessage,
    fullLoadPercent: s.FullLoadProgressPercent,
    elapsedMs: s.ElapsedTimeMillis,
    tablesLoaded: s.TablesLoaded,
    tablesLoading: s.TablesLoading,
    tablesQueued: s.TablesQueued,
    tablesErrored: s.TablesErrored,
    startedAt: ms(s.StartDate ?? t.ReplicationTaskStartDate),
    fullLoadFinishedAt: ms(s.FullLoadFinishDate),
    recoveryCheckpoint: t.RecoveryCheckpoint,
    settings: t.ReplicationTaskSettings,
  };
}

function toTableStat(t: TableStatistics): DmsTableStat {
  return {
    schema: t.SchemaName ?? '',
    table: t.TableName ?? '',
    state: t.TableState ?? 'unknown',
    fullLoadRows: t.FullLoadRows ?? 0,
    inserts: t.Inserts ?? 0,
    updates: t.Updates ?? 0,
    deletes: t.Deletes ?? 0,
    fullLoadErrorRows: t.FullLoadErrorRows ?? 0,
    fullLoadStartedAt: ms(t.FullLoadStartTime),
    fullLoadEndedAt: ms(t.FullLoadEndTime),
    lastUpdatedAt: ms(t.LastUpdateTime),
    validationState: t.ValidationState,
    validationFailed: t.ValidationFailedRecords ?? 0,
    validationPending: t.ValidationPendingRecords ?? 0,
    validationSuspended: t.ValidationSuspendedRecords ?? 0,
  };
}

function toDmsError(e: unknown): Error {
  if (e instanceof DmsApiError) return e;
  const err = e as Error & { name?: string; $metadata?: unknown };
  const code = err.name ?? 'Error';
  const kind =
    code === 'ResourceNotFoundFault' ? 'not-found'
    : code === 'AccessDeniedFault' || code === 'AccessDeniedException' || code === 'UnrecognizedClientException' ? 'access-denied'
    : code === 'ThrottlingException' || code === 'Throttling' ? 'throttled'
    : code === 'InvalidResourceStateFault' ? 'invalid-state'
    : code === 'TimeoutError' || /timed? ?out/i.test(err.message) ? 'timeout'
    : 'other';
  return new DmsApiError(kind, code, err.message);
}
