import { judgeQuery, sideTimings, type BenchResult } from '../../src/bench/bench-result';
import { benchChartPng, benchChartSvg } from '../../src/charts/bench-chart';

const b = { maxRatio: 1.5, compare: 'p95' as const };
const result: BenchResult = {
  hop: 'ec2-to-aurora',
  source: 'ec2',
  target: 'aurora',
  user: 'U0OPS1',
  startedAt: 0,
  finishedAt: 1000,
  runs: 4,
  warmup: 0,
  concurrency: 1,
  maxRatio: 1.5,
  compare: 'p95',
  verdict: 'no-go',
  queries: [
    judgeQuery('scan', sideTimings([1, 1, 2, 2]), sideTimings([30, 31, 40, 40]), b),
    judgeQuery('lookup', sideTimings([0.3, 0.3, 0.4, 0.4]), sideTimings([0.3, 0.3, 0.4, 0.4]), b),
    judgeQuery('writes', sideTimings([], { message: 'cannot execute INSERT in a read-only transaction', refusedAsWrite: true }), sideTimings([], { message: 'not run', refusedAsWrite: false }), b),
  ],
};

describe('the bench chart', () => {
  const svg = benchChartSvg(result);

  test('a bar per percentile and side of every query with figures; a red "?" where there is none', () => {
    expect(svg.match(/<rect x="\d[^"]*" y="[\d.]+" width="18"[^>]*fill="#457b9d"/g)).toHaveLength(6);
    expect(svg.match(/<rect x="\d[^"]*" y="[\d.]+" width="18"[^>]*fill="#f77f00"/g)).toHaveLength(6);
    expect(svg.match(/fill="#d62828">\?<\/text>/g)).toHaveLength(6);
  });

  test('a log scale from 0.1 ms to 100 ms holds a 0.3 ms lookup and a 40 ms scan; each query says its ratio and verdict', () => {
    expect(svg).toContain('>0.1 ms</text>');
    expect(svg).toContain('>100 ms</text>');
    expect(svg).toContain('20.00× p95 · NO-GO');
    expect(svg).toContain('1.00× p95 · GO');
    expect(svg).toContain('ec2 (source)');
    expect(svg).toContain('aurora (target)');
  });

  test('renders to a PNG', () => {
    expect(benchChartPng(result).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
});
