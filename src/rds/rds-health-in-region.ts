import { awsRdsHealth } from './aws-rds-health';
import type { RdsHealthPort } from './rds-health';

const ports = new Map<string, RdsHealthPort>();

/** One RDS/CloudWatch reader per region and bound, shared by the gate and the post-cutover step. */
export function rdsHealthIn(region: string, timeoutMs = 10_000): RdsHealthPort {
  const key = `${region}:${timeoutMs}`;
  let port = ports.get(key);
  if (!port) ports.set(key, (port = awsRdsHealth(region, timeoutMs)));
  return port;
}
