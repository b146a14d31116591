export interface ProgressPoint {
  at: number;
  percent: number;
}

/**
 * ETA of the full load from the recorded progress rate over the window (default the last hour).
 * Undefined until progress spans at least `minSpanMs` (a rate over seconds is noise); points before
 * the last drop in percent (a restarted task) are ignored.
 */
export function fullLoadEta(points: ProgressPoint[], now: number, windowMs = 3600_000, minSpanMs = 5 * 60_000): { etaMs: number; ratePerHour: number } | undefined {
  let start = 0;
  for (let i = 1; i < points.length; i++) if (points[i].percent < points[i - 1].percent) start = i;
  const recent = points.slice(start).filter((p) => p.at >= now - windowMs);
  if (recent.length < 2) return undefined;
  const first = recent[0];
  const last = recent[recent.length - 1];
  const dp = last.percent - first.percent;
  const dt = last.at - first.at;
  if (dp <= 0 || dt < minSpanMs) return undefined;
  const ratePerHour = (dp / dt) * 3600_000;
  return { etaMs: last.percent >= 100 ? 0 : ((100 - last.percent) / dp) * dt, ratePerHour };
}
