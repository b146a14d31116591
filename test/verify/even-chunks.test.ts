import { evenChunks } from '../../src/verify/full/keyed-table-diff';

describe('segments per statement of the first pass', () => {
  const statements = (segments: number, per: number) => Math.ceil(segments / per);

  test('statements come in multiples of the concurrency, of one size, none over the most', () => {
    // 2,001 segments at 250 at most: 9 statements would leave one session alone on the last; 10 of 201 do not.
    expect(evenChunks(2001, 250, 2)).toBe(201);
    expect(statements(2001, 201)).toBe(10);
    for (const [segments, most, concurrency] of [[5000, 250, 2], [777, 100, 3], [251, 250, 4], [40_001, 250, 2]]) {
      const per = evenChunks(segments, most, concurrency);
      expect(per).toBeLessThanOrEqual(most);
      expect(statements(segments, per) % concurrency).toBe(0);
    }
  });

  test('a table that fits in one statement stays one statement', () => {
    expect(evenChunks(25, 250, 2)).toBe(25);
    expect(evenChunks(1, 250, 2)).toBe(1);
  });
});
