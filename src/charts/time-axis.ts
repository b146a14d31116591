/** Tick steps a reader can add up: seconds for a short chart, then minutes and hours. */
const STEPS_S = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** "09:30" (or "09:30:15" with seconds) on the wall clock of `timeZone`, 24-hour. */
export function zoneClock(timeZone: string): (ms: number, seconds: boolean) => string {
  const withSeconds = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const withoutSeconds = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (ms, seconds) => (seconds ? withSeconds : withoutSeconds).format(new Date(ms));
}

/**
 * At most `max` ticks on round clock times between `t0` and `t1`, labelled in `timeZone`.
 * Rounding is by UTC; zones a whole number of hours (or half hours for steps up to 30 min) off UTC get round labels.
 */
export function timeTicks(t0: number, t1: number, timeZone: string, max = 7): { at: number; label: string }[] {
  const span = Math.max(1, t1 - t0);
  const stepS = STEPS_S.find((s) => span / (s * 1000) <= max - 1) ?? STEPS_S[STEPS_S.length - 1];
  const step = stepS * 1000;
  const clock = zoneClock(timeZone);
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(t0 / step) * step; at <= t1; at += step) ticks.push({ at, label: clock(at, stepS < 60) });
  return ticks;
}
