import { FAN_OUT_SLICE, fanOutStats, later } from '../../src/events/fan-out';

describe('live fan-out slices', () => {
  it('runs many sends in slices of FAN_OUT_SLICE, in order, with the event loop\'s other work between slices', async () => {
    const marks: string[] = [];
    const slices = fanOutStats.slices;
    const total = 3 * FAN_OUT_SLICE;
    await new Promise<void>((done) => {
      for (let k = 0; k < total; k++) {
        later((n: number) => {
          marks.push(`send ${n}`);
          // Work that arrives during the first slice (a write's I/O, say) runs before the second slice.
          if (n === 0) setImmediate(() => marks.push('other'));
          if (n === total - 1) done();
        }, k);
      }
    });
    expect(fanOutStats.slices - slices).toBe(3);
    expect(marks.indexOf('other')).toBe(FAN_OUT_SLICE);
    expect(marks.filter((m) => m !== 'other')).toEqual(Array.from({ length: total }, (_, n) => `send ${n}`));
  });

});
