import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudWatchStandIn, type StandInMetric } from './dms-stand-in';
import { LocalHttpServer, readBody } from './local-http-server';

export interface StandInDbInstance {
  DBInstanceIdentifier: string;
  DBInstanceStatus: string;
  /** Set for an Aurora cluster's instances. */
  DBClusterIdentifier?: string;
  BackupRetentionPeriod: number;
  /** Epoch seconds. */
  LatestRestorableTime?: number;
  DeletionProtection: boolean;
  MultiAZ: boolean;
  ReadReplicaDBInstanceIdentifiers: string[];
}

export interface StandInDbCluster {
  DBClusterIdentifier: string;
  Status: string;
  BackupRetentionPeriod: number;
  LatestRestorableTime?: number;
  DeletionProtection: boolean;
  MultiAZ: boolean;
  members: { DBInstanceIdentifier: string; IsClusterWriter: boolean }[];
}

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();
const el = (name: string, v: string | number | boolean | undefined) => (v === undefined ? '' : `<${name}>${typeof v === 'string' ? esc(v) : String(v)}</${name}>`);

/**
 * A local RDS endpoint speaking the query protocol as the SDK does: a form-encoded POST
 * (Action=…&Version=2014-10-31) answered with the XML of the RDS API reference, errors as
 * <ErrorResponse>. Answers DescribeDBClusters and DescribeDBInstances.
 */
export class RdsStandIn extends LocalHttpServer {
  readonly clusters = new Map<string, StandInDbCluster>();
  readonly instances = new Map<string, StandInDbInstance>();
  /** Each request's form fields, in order. */
  readonly requests: Record<string, string>[] = [];
  failWith?: { status: number; code: string; message: string };
  /** Accepts requests and never answers them. */
  silent = false;

  /** An Aurora cluster: its writer and readers, all available, backups on, protected, Multi-AZ. */
  addCluster(id: string, readers = 1): StandInDbCluster {
    const now = Math.floor(Date.now() / 1000);
    const ids = [`${id}-1`, ...Array.from({ length: readers }, (_, i) => `${id}-${i + 2}`)];
    const cluster: StandInDbCluster = { DBClusterIdentifier: id, Status: 'available', BackupRetentionPeriod: 7, LatestRestorableTime: now - 120, DeletionProtection: true, MultiAZ: readers > 0, members: ids.map((m, i) => ({ DBInstanceIdentifier: m, IsClusterWriter: i === 0 })) };
    this.clusters.set(id, cluster);
    for (const m of ids) this.instances.set(m, { DBInstanceIdentifier: m, DBInstanceStatus: 'available', DBClusterIdentifier: id, BackupRetentionPeriod: 7, DeletionProtection: false, MultiAZ: false, ReadReplicaDBInstanceIdentifiers: [] });
    return cluster;
  }

  /** An RDS instance (not Aurora) with `replicas` read replicas. */
  addInstance(id: string, replicas = 0): StandInDbInstance {
    const now = Math.floor(Date.now() / 1000);
    const replicaIds = Array.from({ length: replicas }, (_, i) => `${id}-replica-${i + 1}`);
    const instance: StandInDbInstance = { DBInstanceIdentifier: id, DBInstanceStatus: 'available', BackupRetentionPeriod: 7, LatestRestorableTime: now - 120, DeletionProtection: true, MultiAZ: true, ReadReplicaDBInstanceIdentifiers: replicaIds };
    this.instances.set(id, instance);
    for (const r of replicaIds) this.instances.set(r, { DBInstanceIdentifier: r, DBInstanceStatus: 'available', BackupRetentionPeriod: 0, DeletionProtection: false, MultiAZ: false, ReadReplicaDBInstanceIdentifiers: [] });
    return instance;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = Object.fromEntries(new URLSearchParams((await readBody(req)).toString('utf8')));
    this.requests.push(form);
    if (this.silent) return;
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'Content-Type': 'text/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const error = (status: number, code: string, message: string) =>
      send(status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    const answer = (action: string, result: string) => send(200, `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
    if (req.method !== 'POST' || form.Version !== '2014-10-31') return error(400, 'InvalidParameterValue', `expected a POST with Version=2014-10-31, got ${req.method} ${form.Version}`);
    if (this.failWith) return error(this.failWith.status, this.failWith.code, this.failWith.message);
    if (form.Action === 'DescribeDBClusters') {
      const c = this.clusters.get(form.DBClusterIdentifier ?? '');
      if (!c) return error(404, 'DBClusterNotFoundFault', `DBCluster ${form.DBClusterIdentifier} not found.`);
      return answer('DescribeDBClusters', `<DBClusters>${clusterXml(c)}</DBClusters>`);
    }
    if (form.Action === 'DescribeDBInstances') {
      const filters = filtersOf(form);
      let found: StandInDbInstance[];
      if (form.DBInstanceIdentifier) {
        const one = this.instances.get(form.DBInstanceIdentifier);
        if (!one) return error(404, 'DBInstanceNotFound', `DBInstance ${form.DBInstanceIdentifier} not found.`);
        found = [one];
      } else {
        found = [...this.instances.values()].filter(
          (i) => (!filters['db-cluster-id'] || filters['db-cluster-id'].includes(i.DBClusterIdentifier ?? '')) && (!filters['db-instance-id'] || filters['db-instance-id'].includes(i.DBInstanceIdentifier)),
        );
      }
      return answer('DescribeDBInstances', `<DBInstances>${found.map(instanceXml).join('')}</DBInstances>`);
    }
    error(400, 'InvalidAction', `Could not find operation ${form.Action} for version 2014-10-31`);
  }
}

/** Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M, as the query protocol serialises a Filter list. */
function filtersOf(form: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let n = 1; form[`Filters.Filter.${n}.Name`]; n++) {
    const values: string[] = [];
    for (let m = 1; form[`Filters.Filter.${n}.Values.Value.${m}`] !== undefined; m++) values.push(form[`Filters.Filter.${n}.Values.Value.${m}`]);
    out[form[`Filters.Filter.${n}.Name`]] = values;
  }
  return out;
}

function clusterXml(c: StandInDbCluster): string {
  const members = c.members
    .map((m) => `<DBClusterMember>${el('DBInstanceIdentifier', m.DBInstanceIdentifier)}${el('IsClusterWriter', m.IsClusterWriter)}<DBClusterParameterGroupStatus>in-sync</DBClusterParameterGroupStatus><PromotionTier>1</PromotionTier></DBClusterMember>`)
    .join('');
  return `<DBCluster>${el('DBClusterIdentifier', c.DBClusterIdentifier)}<DBClusterArn>arn:aws:rds:us-east-1:123456789012:cluster:${esc(c.DBClusterIdentifier)}</DBClusterArn><Engine>aurora-postgresql</Engine><EngineVersion>16.4</EngineVersion>${el('Status', c.Status)}${el('BackupRetentionPeriod', c.BackupRetentionPeriod)}${el('LatestRestorableTime', c.LatestRestorableTime === undefined ? undefined : iso(c.LatestRestorableTime))}${el('DeletionProtection', c.DeletionProtection)}${el('MultiAZ', c.MultiAZ)}<DBClusterMembers>${members}</DBClusterMembers><AvailabilityZones><AvailabilityZone>us-east-1a</AvailabilityZone><AvailabilityZone>us-east-1b</AvailabilityZone></AvailabilityZones></DBCluster>`;
}

function instanceXml(i: StandInDbInstance): string {
  const replicas = i.ReadReplicaDBInstanceIdentifiers.map((r) => el('ReadReplicaDBInstanceIdentifier', r)).join('');
  return `<DBInstance>${el('DBInstanceIdentifier', i.DBInstanceIdentifier)}<DBInstanceArn>arn:aws:rds:us-east-1:123456789012:db:${esc(i.DBInstanceIdentifier)}</DBInstanceArn><DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>${i.DBClusterIdentifier ? 'aurora-postgresql' : 'postgres'}</Engine>${el('DBInstanceStatus', i.DBInstanceStatus)}${el('DBClusterIdentifier', i.DBClusterIdentifier)}${el('BackupRetentionPeriod', i.BackupRetentionPeriod)}${el('LatestRestorableTime', i.LatestRestorableTime === undefined ? undefined : iso(i.LatestRestorableTime))}${el('DeletionProtection', i.DeletionProtection)}${el('MultiAZ', i.MultiAZ)}<ReadReplicaDBInstanceIdentifiers>${replicas}</ReadReplicaDBInstanceIdentifiers></DBInstance>`;
}

/** CloudWatch answering AWS/RDS metrics per DB instance: key `${MetricName}/${DBInstanceIdentifier}`. */
export class RdsCloudWatchStandIn extends CloudWatchStandIn {
  protected override pointsFor(metric: StandInMetric): [number, number][] {
    if (metric.Namespace !== 'AWS/RDS') return super.pointsFor(metric);
    const instance = metric.Dimensions?.find((d) => d.Name === 'DBInstanceIdentifier')?.Value;
    return this.points.get(`${metric.MetricName}/${instance}`) ?? [];
  }
}
