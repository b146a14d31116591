import { lagChartPng, lagChartSvg } from '../../src/charts/lag-chart';
import type { LagSample } from '../../src/checks/lag-sample';

const T0 = Date.parse('2026-11-30T09:30:00Z');

/** A stored logical-hop sample as takeLagSample writes it; `lag` null is a sample that could not tell. */
function sample(at: number, lag: number | null): LagSample {
  return {
    hop: 'rds-to-aurora', at,
    source: { ok: true, ms: 3 }, target: lag === null ? { ok: false, ms: 2000, error: 'timeout expired' } : { ok: true, ms: 4 },
    heartbeatLagSeconds: lag, sourceClock: at, sourceHeartbeat: { seq: 100, at: at - 500 }, targetHeartbeat: lag === null ? null : { seq: 99, at: at - lag * 1000 },
    byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, sourceLsn: null, standby: null,
    sourceReplicas: [], sourceArchiver: null, targetReplicas: null, targetArchiver: null,
  };
}

/** Every 15 s from T0 for `minutes`, the 7th sample unknown. */
const series = (minutes: number) => Array.from({ length: (minutes * 60) / 15 + 1 }, (_, i) => sample(T0 + i * 15_000, i === 7 ? null : 1 + (i % 5)));

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('the lag chart', () => {
  test('30 min plotted: the title says the span plotted, the axis has real clock times (UTC), no "last N min" that disagrees', () => {
    const svg = lagChartSvg(series(30), 'Lag on rds-to-aurora (heartbeat)', 5);
    const labels = texts(svg);
    expect(labels[0]).toBe('Lag on rds-to-aurora (heartbeat), 09:30–10:00 UTC, 30 min');
    expect(labels).toEqual(expect.arrayContaining(['09:30', '09:35', '09:40', '09:45', '09:50', '09:55', '10:00', 'time (UTC)']));
    expect(svg).not.toMatch(/last \d+ min/);
  });

  test('2 min of samples under a 30-min request: title and axis both say 2 min, never "last 30 min"', () => {
    const svg = lagChartSvg(series(2), 'Lag on rds-to-aurora (heartbeat)', 5);
    const labels = texts(svg);
    expect(labels[0]).toBe('Lag on rds-to-aurora (heartbeat), 09:30–09:32 UTC, 2 min');
    expect(labels).toEqual(expect.arrayContaining(['09:30:00', '09:30:30', '09:31:00', '09:32:00']));
    expect(svg).not.toContain('30 min');
  });

  test('times in the plan’s time zone when it has one', () => {
    const labels = texts(lagChartSvg(series(30), 'Lag', 5, 'America/New_York'));
    expect(labels[0]).toBe('Lag, 04:30–05:00 America/New_York, 30 min');
    expect(labels).toEqual(expect.arrayContaining(['04:30', '04:45', '05:00', 'time (America/New_York)']));
  });

  test('the red ticks of unknown samples have a legend, next to the lag line and the threshold', () => {
    const svg = lagChartSvg(series(30), 'Lag', 5);
    const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(texts(legend)).toEqual(['heartbeat lag', 'max lag (gate)', 'unknown: a sample that could not tell the lag', 'time (UTC)']);
    // The legend's red mark is the same colour as the unknown ticks, and there is one tick per unknown sample outside the legend.
    expect(legend).toContain('stroke="#d62828"');
    expect(svg.replace(legend, '').match(/stroke="#d62828"/g)).toHaveLength(1);
  });

  test('the PNG renders from that SVG', () => {
    const png = lagChartPng(series(30), 'Lag', 5);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
  });
});
