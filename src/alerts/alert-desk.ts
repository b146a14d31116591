import type { Logger } from '../log';
import type { ChannelPort } from '../monitoring/channel-port';
import type { IncidentStore } from '../state/incident-store';
import { alertFiredView, alertReminderView, alertResolvedView, alertWorseView } from '../views/alert-view';
import { stepIncident, type AlertEvent, type Incident, type Observation } from './incident';

/**
 * Turns observations into channel messages with the one-message-per-incident rules: fires after
 * the grace period, reminds and reports "worse" in the alert's thread, posts "resolved" once.
 * Every source of alerts (lag, DMS, health) goes through here.
 */
export class AlertDesk {
  constructor(
    private readonly incidents: IncidentStore,
    private readonly channel: ChannelPort,
    private readonly reminderMs: number,
    private readonly log: Logger,
  ) {}

  async observe(observations: Observation[], now = Date.now()): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (const obs of observations) {
      const event = await this.incidents.step(obs.key, (prev) => {
        const { next, event } = stepIncident(prev, obs, now, this.reminderMs);
        return { next, result: event };
      });
      if (event) {
        events.push(event);
        if (event.kind === 'resolve') await this.incidents.recordResolved(event.incident, event.resolvedAt).catch((e) => this.log.error({ err: e, alert: event.incident.key }, 'could not keep a resolved incident for the report'));
        await this.announce(event, now);
      }
    }
    return events;
  }

  open(): Promise<Incident[]> {
    return this.incidents.open();
  }

  /** The keys of the incidents kept, fired or within their grace. */
  kept(): Promise<string[]> {
    return this.incidents.keys();
  }

  private async announce(event: AlertEvent, now: number): Promise<void> {
    try {
      const thread = event.incident.message?.ts;
      if (event.kind === 'fire') {
        const ref = await this.channel.post(alertFiredView(event.incident));
        await this.incidents.setMessage(event.incident.key, ref);
      } else if (event.kind === 'remind') {
        await this.channel.post(alertReminderView(event.incident, now), thread);
      } else if (event.kind === 'worsen') {
        await this.channel.post(alertWorseView(event.incident), thread);
      } else {
        await this.channel.post(alertResolvedView(event.incident, event.resolvedAt));
      }
    } catch (e) {
      this.log.error({ err: e, alert: event.incident.key, kind: event.kind }, 'could not post an alert');
    }
  }
}
