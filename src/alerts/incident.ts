/** One alert condition's life: seen, fired after its grace period, reminded, resolved. */
export interface Incident {
  key: string;
  since: number;
  summary: string;
  firedAt?: number;
  lastNotifiedAt?: number;
  /** The worst severity announced so far (e.g. errored tables), for "it got worse" follow-ups. */
  peak?: number;
  buttons?: AlertButton[];
  message?: { channel: string; ts: string };
}

export interface Observation {
  key: string;
  active: boolean;
  /** What is wrong, for people (used when it fires or reminds). */
  summary: string;
  graceMs: number;
  /** How bad (a count); a firing incident whose severity grows past its peak says so again. */
  severity?: number;
  /** Buttons the alert offers (e.g. Roll back right after a cutover). */
  buttons?: AlertButton[];
}

export interface AlertButton {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  /** The "are you sure?" Slack shows before the click counts: what will happen, in one line. */
  confirm?: { title: string; text: string; button: string };
}

export type AlertEvent =
  | { kind: 'fire'; incident: Incident }
  | { kind: 'remind'; incident: Incident }
  | { kind: 'worsen'; incident: Incident }
  | { kind: 'resolve'; incident: Incident; resolvedAt: number; now: string };

/**
 * Advances one incident by one observation. Pure. One message when it fires (after the grace
 * period), a reminder every `reminderMs` while it keeps firing (0: never), one when it resolves;
 * nothing for each sample in between.
 */
export function stepIncident(prev: Incident | undefined, obs: Observation, now: number, reminderMs: number): { next: Incident | undefined; event?: AlertEvent } {
  if (!obs.active) {
    if (prev?.firedAt !== undefined) return { next: undefined, event: { kind: 'resolve', incident: prev, resolvedAt: now, now: obs.summary } };
    return { next: undefined };
  }
  const current: Incident = prev ? { ...prev, summary: obs.summary, buttons: obs.buttons } : { key: obs.key, since: now, summary: obs.summary, buttons: obs.buttons };
  if (current.firedAt === undefined) {
    if (now - current.since < obs.graceMs) return { next: current };
    const fired = { ...current, firedAt: now, lastNotifiedAt: now, peak: obs.severity };
    return { next: fired, event: { kind: 'fire', incident: fired } };
  }
  if (obs.severity !== undefined && current.peak !== undefined && obs.severity > current.peak) {
    const worse = { ...current, peak: obs.severity, lastNotifiedAt: now };
    return { next: worse, event: { kind: 'worsen', incident: worse } };
  }
  if (reminderMs > 0 && now - (current.lastNotifiedAt ?? current.firedAt) >= reminderMs) {
    const reminded = { ...current, lastNotifiedAt: now };
    return { next: reminded, event: { kind: 'remind', incident: reminded } };
  }
  return { next: current };
}
