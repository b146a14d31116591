import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/** Step 1: the timeline and the Rollbar deploy marker. */
export function announceStep(hop: Hop): Step {
  return {
    id: 'announce',
    title: 'Announce; Rollbar deploy marker "started"',
    describe: () => ['post the timeline in the channel', 'POST /api/1/deploy {"status": "started"} (with ROLLBAR_WRITE_TOKEN)'],
    async run(d) {
      if (d.run().deployId !== undefined || !d.deploys.enabled) return d.deploys.enabled ? 'deploy marker already started' : 'no ROLLBAR_WRITE_TOKEN: no deploy marker';
      const id = await d.deploys.start(`cutover ${hop.id}`, d.run().requester, `Cutover of ${hop.source.id} → ${hop.target.id}`);
      await d.note((r) => ({ ...r, deployId: id }));
      return `deploy marker ${id} started`;
    },
    async undo(d) {
      const id = d.run().deployId;
      if (id !== undefined) await d.deploys.finish(id, 'failed');
      return id !== undefined ? `deploy marker ${id} marked failed` : 'no deploy marker';
    },
  };
}
