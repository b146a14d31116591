import { lagChartPng } from '../charts/lag-chart';
import type { LagSample } from '../checks/lag-sample';
import { errorRateChartPng } from '../charts/error-rate-chart';
import type { ErrorRateSample } from '../state/error-rate-store';

/** More points than this do not show on an 800-pixel chart; the rest only cost time. */
const MAX_POINTS = 800;

/** Every n-th sample, the last always kept, so a long window charts as fast as a short one. */
export function thinned<T>(samples: T[], max = MAX_POINTS): T[] {
  if (samples.length <= max) return samples;
  const step = Math.ceil(samples.length / max);
  const out = samples.filter((_, i) => i % step === 0);
  if (out.at(-1) !== samples.at(-1)) out.push(samples[samples.length - 1]);
  return out;
}

/** The lag chart as a PNG data URI, embedded in the report so the file needs nothing else. */
export function lagChartDataUri(samples: LagSample[], title: string, thresholdSeconds: number): string {
  return `data:image/png;base64,${lagChartPng(thinned(samples), title, thresholdSeconds).toString('base64')}`;
}

/** The error-rate chart as a PNG data URI, with where writes stopped and came back marked. */
export function errorRateChartDataUri(samples: ErrorRateSample[], title: string, marks: { at: number; label: string }[]): string {
  return `data:image/png;base64,${errorRateChartPng(thinned(samples), title, marks).toString('base64')}`;
}
