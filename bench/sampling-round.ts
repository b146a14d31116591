// The cost of one lag sampling round on a local primary + streaming standby:
// statements sent to each side, and milliseconds (per side and wall clock), over many rounds.
import { setupHeartbeat, writeHeartbeat } from '../src/checks/heartbeat';
import { takeLagSample } from '../src/checks/lag-sample';
import { openDatabase } from '../src/db/database';
import { ClusterFolder, PgCluster, createPlainRole } from '../test/support/pg-cluster';
import { replicationPlan } from '../test/support/replication-plan';
import { countingQueryable, percentile } from './counting-queryable';

export interface Figure {
  name: string;
  value: string;
  how: string;
}

export async function benchSamplingRound(rounds = 200): Promise<Figure[]> {
  const folder = new ClusterFolder();
  const primary = await PgCluster.primary(folder);
  try {
    const sourceUrl = await createPlainRole(primary);
    const standby = await PgCluster.streamingStandby(primary);
    try {
      const plan = replicationPlan();
      const hop = plan.hops[0];
      const sourceDb = openDatabase(sourceUrl);
      const targetDb = openDatabase(standby.url('app'));
      await setupHeartbeat(sourceDb, plan.heartbeat);
      await writeHeartbeat(sourceDb, plan.heartbeat, hop.source.id);
      const source = countingQueryable(sourceDb);
      const target = countingQueryable(targetDb);
      // Warm the pools.
      for (let i = 0; i < 10; i++) await takeLagSample({ hop, source, target, heartbeat: plan.heartbeat });
      source.reset();
      target.reset();
      const wall: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t = performance.now();
        const s = await takeLagSample({ hop, source, target, heartbeat: plan.heartbeat });
        wall.push(performance.now() - t);
        if (!s.source.ok || !s.target.ok) throw new Error(`sample failed: ${s.source.error ?? s.target.error}`);
      }
      wall.sort((a, b) => a - b);
      await sourceDb.close();
      await targetDb.close();
      const how = `${rounds} rounds, physical hop, local primary + streaming standby, plain role on the source`;
      return [
        { name: 'sampling round: statements on source', value: (source.stats.queries / rounds).toFixed(1), how },
        { name: 'sampling round: statements on target', value: (target.stats.queries / rounds).toFixed(1), how },
        { name: 'sampling round: source time (sum of statements)', value: `${(source.stats.ms / rounds).toFixed(2)} ms`, how },
        { name: 'sampling round: target time (sum of statements)', value: `${(target.stats.ms / rounds).toFixed(2)} ms`, how },
        { name: 'sampling round: wall clock p50 / p99', value: `${percentile(wall, 50).toFixed(2)} / ${percentile(wall, 99).toFixed(2)} ms`, how: `${how}; both sides read concurrently` },
      ];
    } finally {
      await standby.stop('immediate');
    }
  } finally {
    await primary.stop('immediate');
    folder.remove();
  }
}
