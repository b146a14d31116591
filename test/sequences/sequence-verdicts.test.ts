import { fixShortfall, type SequenceAudit, type SequenceFinding } from '../../src/sequences/sequence-audit';
import { sequenceGateResult } from '../../src/sequences/sequence-gate';

const finding = (problems: SequenceFinding['problems']): SequenceFinding => ({ sequence: 'public.orders_id_seq', columns: [], increment: 1n, next: 100n, extreme: 99n, sourceNext: 150n, problems });
const audit = (findings: SequenceFinding[], missingDefaults: SequenceAudit['missingDefaults'] = []): SequenceAudit => ({ findings, missingDefaults, identityToAlways: [], checkedAt: 0 });

describe('the sequences gate', () => {
  test('a physical standby trailing the source (replication lag while the app writes) passes, and says so', () => {
    const r = sequenceGateResult('physical', 'ec2', audit([finding(['behind-source']), finding([])]));
    expect(r.status).toBe('ok');
    expect(r.value).toBe('2 sequences ahead of their columns; 1 trail the source by replication lag and catch up with the WAL');
  });

  test('a physical standby behind its own columns, or missing a default, fails', () => {
    expect(sequenceGateResult('physical', 'ec2', audit([finding(['behind', 'behind-source'])])).status).toBe('fail');
    const lost = { source: { schema: 'public', table: 'orders', column: 'id' } as never, targetHasSequence: true };
    expect(sequenceGateResult('physical', 'ec2', audit([], [lost])).status).toBe('fail');
  });

  test('logical and DMS targets behind the source warn: the cutover fixes them', () => {
    for (const method of ['logical', 'dms'] as const) {
      const r = sequenceGateResult(method, 'aurora', audit([finding(['behind-source'])]));
      expect(r).toMatchObject({ status: 'warn', value: '1 behind, 0 lost defaults' });
    }
  });

  test('unreadable or near-maximum sequences fail on every method', () => {
    for (const method of ['physical', 'logical', 'dms'] as const) {
      expect(sequenceGateResult(method, 't', audit([finding(['unreadable'])])).status).toBe('fail');
      expect(sequenceGateResult(method, 't', audit([finding(['near-max'])])).status).toBe('fail');
    }
  });
});

describe('what a fix left undone while replication still runs', () => {
  const f = (sequence: string, next: bigint | undefined, extreme: bigint, problems: SequenceFinding['problems']): SequenceFinding => ({ sequence, columns: [], increment: 1n, next, extreme, problems });

  test('a sequence behind only rows that arrived after the fix was overtaken, not left unfixed', () => {
    const before = audit([f('public.orders_id_seq', 1n, 20_600n, ['behind'])]);
    const after = audit([f('public.orders_id_seq', 20_601n, 20_640n, ['behind', 'behind-source'])]);
    expect(fixShortfall(before, after)).toEqual({ unfixed: [], overtaken: ['public.orders_id_seq'] });
  });

  test('a sequence still at or below the max its column had before the fix, or a default still missing, is unfixed', () => {
    const before = audit([f('public.orders_id_seq', 1n, 20_600n, ['behind'])]);
    const after = audit([f('public.orders_id_seq', 20_600n, 20_640n, ['behind'])], [{ source: { tableSchema: 'public', tableName: 'payments', column: 'id' } as never, targetHasSequence: false }]);
    expect(fixShortfall(before, after)).toEqual({ unfixed: ['public.payments.id (no default)', 'public.orders_id_seq'], overtaken: [] });
  });
});
