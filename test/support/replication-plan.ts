import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import type { Plan } from '../../src/plan/plan';
import { APPROVERS, CHANNEL, OPERATORS } from './test-plan';

/** A one-hop plan for replication tests, sampled every second, with a short grace period. */
export function replicationPlan(opts: { method?: 'physical' | 'logical'; feed?: 'streaming' | 'archive'; maxLagSeconds?: number; graceSeconds?: number; leaderTtlSeconds?: number; subscription?: string } = {}): Plan {
  const extra = [opts.feed ? `standby_feed: ${opts.feed}` : '', opts.subscription ? `subscription: ${opts.subscription}` : ''].filter(Boolean).join(', ');
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases:
  source: { url_env: SOURCE_URL, label: Source }
  target: { url_env: TARGET_URL, label: Target }
hops:
  - { id: hop-one, method: ${opts.method ?? 'physical'}, source: source, target: target${extra ? `, ${extra}` : ''} }
thresholds: { max_lag_seconds: ${opts.maxLagSeconds ?? 3}, lag_grace_seconds: ${opts.graceSeconds ?? 2} }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
schedule: { heartbeat: '* * * * * *', sample: '* * * * * *', update: '0 0 0 1 1 *', health: '0 0 0 1 1 *', dms: '0 0 0 1 1 *', leader_ttl_seconds: ${opts.leaderTtlSeconds ?? 2} }
alerts: { reminder_minutes: 0, heartbeat_stall_seconds: 30 }
database_timeouts: { connect_timeout_ms: 1500, statement_timeout_ms: 2000 }
`);
}
