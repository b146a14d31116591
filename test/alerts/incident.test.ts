import { stepIncident, type Incident, type Observation } from '../../src/alerts/incident';

const obs = (active: boolean, graceMs = 10_000): Observation => ({ key: 'hop:lag', active, summary: active ? 'lag 40 s' : 'lag 1 s', graceMs });

function run(observations: [number, boolean][], reminderMs = 60_000) {
  let state: Incident | undefined;
  const events: string[] = [];
  for (const [at, active] of observations) {
    const { next, event } = stepIncident(state, obs(active), at, reminderMs);
    state = next;
    if (event) events.push(`${event.kind}@${at}`);
  }
  return events;
}

describe('one alert per incident', () => {
  test('fires only after the condition held for the grace period', () => {
    expect(run([[0, true], [5_000, true], [9_999, true], [10_000, true], [15_000, true]])).toEqual(['fire@10000']);
  });

  test('a condition that clears within the grace period never fires or resolves', () => {
    expect(run([[0, true], [5_000, true], [6_000, false], [7_000, true]])).toEqual([]);
  });

  test('a firing incident reminds every reminder period, then resolves once', () => {
    expect(run([[0, true], [10_000, true], [40_000, true], [70_000, true], [130_000, true], [131_000, false], [132_000, false]])).toEqual([
      'fire@10000',
      'remind@70000',
      'remind@130000',
      'resolve@131000',
    ]);
  });

  test('no reminders when they are off', () => {
    expect(run([[0, true], [10_000, true], [999_000, true]], 0)).toEqual(['fire@10000']);
  });
});
