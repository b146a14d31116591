import type { RollbarStandIn, StatusPageStandIn } from '../test/support/health-stand-ins';
import type { PgCluster } from '../test/support/pg-cluster';
import type { DemoApp } from './demo-app';
import type { LostRows } from './lost-rows';
import type { MovingDms } from './moving-dms';

export const SWITCHES = {
  'error-tracker-outage': 'Error tracker outage (Rollbar answers 503)',
  'status-page-degraded': 'Status page degraded (Heroku: Apps red)',
  'pause-replication': 'Pause replication (WAL replay on EC2, the subscription under DMS)',
  'slow-dms': 'Slow down DMS (full load five times slower)',
  'app-errors': 'App errors (the app reports an error to Rollbar every tick)',
  'lose-target-rows': 'Lose rows on Aurora (delete 3 orders on the DMS target; off copies them back from EC2)',
} as const;

export type SwitchName = keyof typeof SWITCHES;

export interface SwitchTargets {
  rollbar: RollbarStandIn;
  herokuStatus: StatusPageStandIn;
  ec2: PgCluster;
  dms: MovingDms;
  app: DemoApp;
  lostRows: LostRows;
}

/** The console's fault switches, each one real: a stand-in that misbehaves, a replica that stops, rows lost on the target. */
export class FaultSwitches {
  readonly on = new Set<SwitchName>();

  constructor(private readonly t: SwitchTargets) {}

  async set(name: string, on: boolean): Promise<void> {
    if (!(name in SWITCHES)) throw new Error(`no switch "${name}"`);
    const s = name as SwitchName;
    if (s === 'error-tracker-outage') this.t.rollbar.fault = on ? { kind: 'status', status: 503 } : undefined;
    if (s === 'status-page-degraded') this.t.herokuStatus.body = herokuStatus(on);
    if (s === 'pause-replication') await this.pauseReplication(on);
    if (s === 'slow-dms') this.t.dms.slow = on;
    if (s === 'app-errors') this.t.app.throwErrors = on;
    if (s === 'lose-target-rows') await (on ? this.t.lostRows.lose() : this.t.lostRows.restore());
    if (on) this.on.add(s);
    else this.on.delete(s);
  }

  /** Pauses whatever replication is live: WAL replay while EC2 is a standby, the subscription once DMS runs. */
  private async pauseReplication(on: boolean): Promise<void> {
    const [{ standby }] = await this.t.ec2.sql<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
    if (standby) await this.t.ec2.sql(on ? 'SELECT pg_wal_replay_pause()' : 'SELECT pg_wal_replay_resume()');
    await this.t.dms.pause(on);
  }
}

export function herokuStatus(degraded: boolean): unknown {
  return { status: [{ system: 'Apps', status: degraded ? 'red' : 'green' }, { system: 'Data', status: 'green' }, { system: 'Tools', status: 'green' }], incidents: [], scheduled: [] };
}
