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


  it('keeps order across the queue\'s compaction while sends keep coming', async () => {
    const got: number[] = [];
    const total = 40 * FAN_OUT_SLICE;
    await new Promise<void>((done) => {
      // Each send queues the next-but-one, so the queue never runs dry until the end.
      let queued = 0;
      const send = (n: number) => {
        got.push(n);
        if (queued < total) later(send, queued++);
        if (n === total - 1) done();
      };
      for (let k = 0; k < 2 * FAN_OUT_SLICE; k++) later(send, queued++);
    });
    expect(got).toEqual(Array.from({ length: total }, (_, n) => n));
  });
});
