import type { Step } from './step';

/** The hop is complete; the deploy marker succeeded. */
export function doneStep(): Step {
  return {
    id: 'done',
    title: 'Hop complete; deploy marker "succeeded"',
    describe: () => ['the hop is marked done and the next hop becomes current', 'PATCH /api/1/deploy/{id} {"status": "succeeded"}'],
    async run(d) {
      const id = d.run().deployId;
      if (id !== undefined) await d.deploys.finish(id, 'succeeded');
      return id !== undefined ? `deploy marker ${id} succeeded` : 'done';
    },
  };
}
