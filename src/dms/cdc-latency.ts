import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';

export interface CdcLatency {
  /** Seconds behind the source (CDCLatencySource) and the target (CDCLatencyTarget); undefined when CloudWatch has no point. */
  sourceSeconds?: number;
  targetSeconds?: number;
  at?: number;
}

export interface LatencyPoint {
  at: number;
  seconds: number;
}

/** CloudWatch's one-minute CDC latency averages over a window, oldest first; empty when CloudWatch has none. */
export interface CdcLatencyTrend {
  source: LatencyPoint[];
  target: LatencyPoint[];
}

export interface CdcLatencyPort {
  latest(replicationInstance: string, taskResourceId: string, now: number): Promise<CdcLatency>;
  trend(replicationInstance: string, taskResourceId: string, since: number, now: number): Promise<CdcLatencyTrend>;
}

/**
 * CloudWatch's DMS CDC latency (namespace AWS/DMS) as one-minute averages: the newest of the last
 * 15 minutes, or every point of a window. Endpoint override: AWS_ENDPOINT_URL_CLOUDWATCH.
 */
export function cloudWatchCdcLatency(region: string, requestTimeoutMs = 10_000): CdcLatencyPort {
  const client = new CloudWatchClient({ region, maxAttempts: 4, requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: 3000, throwOnRequestTimeout: true } });
  const query = (replicationInstance: string, taskResourceId: string, since: number, now: number, scanBy: 'TimestampDescending' | 'TimestampAscending') => {
    const metric = (id: string, name: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/DMS',
          MetricName: name,
          Dimensions: [
            { Name: 'ReplicationInstanceIdentifier', Value: replicationInstance },
            { Name: 'ReplicationTaskIdentifier', Value: taskResourceId },
          ],
        },
        Period: 60,
        Stat: 'Average',
      },
    });
    return client.send(
      new GetMetricDataCommand({
        StartTime: new Date(since),
        EndTime: new Date(now),
        ScanBy: scanBy,
        MetricDataQueries: [metric('source', 'CDCLatencySource'), metric('target', 'CDCLatencyTarget')],
      }),
    );
  };
  return {
    async latest(replicationInstance, taskResourceId, now) {
      const out = await query(replicationInstance, taskResourceId, now - 15 * 60_000, now, 'TimestampDescending');
      const newest = (id: string) => {
        const r = out.MetricDataResults?.find((x) => x.Id === id);
        return r?.Values?.length ? { value: r.Values[0], at: r.Timestamps?.[0]?.getTime() } : undefined;
      };
      const source = newest('source');
      const target = newest('target');
      return { sourceSeconds: source?.value, targetSeconds: target?.value, at: target?.at ?? source?.at };
    },
    async trend(replicationInstance, taskResourceId, since, now) {
      const out = await query(replicationInstance, taskResourceId, since, now, 'TimestampAscending');
      return { source: pointsOf(out, 'source'), target: pointsOf(out, 'target') };
    },
  };
}

/** One query's points, oldest first whatever order they came in (30 one-minute points never paginate). */
function pointsOf(out: GetMetricDataCommandOutput, id: string): LatencyPoint[] {
  const r = out.MetricDataResults?.find((x) => x.Id === id);
  const values = r?.Values ?? [];
  const points = (r?.Timestamps ?? []).map((t, i) => ({ at: t.getTime(), seconds: values[i] })).filter((p) => Number.isFinite(p.seconds));
  return points.sort((a, b) => a.at - b.at);
}
