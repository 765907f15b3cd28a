import { uuidV7 } from '../../src/db/ids';

describe('uuidV7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the time in ms', () => {
    const before = Date.now();
    const id = uuidV7();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('sorts later ids after earlier ones, and never repeats', async () => {
    const first = Array.from({ length: 1000 }, uuidV7);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const later = uuidV7();
    for (const id of first) expect(id < later).toBe(true);
    expect(new Set(first).size).toBe(first.length);
  });
});
