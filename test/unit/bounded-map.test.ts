import { BoundedMap } from '../../src/common/bounded-map';

describe('BoundedMap', () => {
  it('keeps at most maxEntries, forgetting the least recently used first', () => {
    const map = new BoundedMap<string, number>(3, 1_000);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i, 1);
    expect(map.get('a')).toBe(0);
    map.set('d', 3, 1);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([0, 2, 3]);
  });

  it('keeps at most maxBytes, however few the entries', () => {
    const map = new BoundedMap<string, string>(1_000, 100);
    for (let i = 0; i < 50; i++) map.set(`k${i}`, 'v', 30);
    expect(map.bytes).toBeLessThanOrEqual(100);
    expect(map.size).toBe(3);
    expect(map.get('k49')).toBe('v');
    expect(map.get('k0')).toBeUndefined();
  });

  it('does not keep an entry heavier than the whole budget, nor let it evict the others', () => {
    const map = new BoundedMap<string, string>(10, 100);
    map.set('small', 's', 10);
    map.set('huge', 'h', 101);
    expect(map.get('huge')).toBeUndefined();
    expect(map.get('small')).toBe('s');
    expect(map.bytes).toBe(10);
  });

  it('replacing a key counts its bytes once', () => {
    const map = new BoundedMap<string, number>(10, 100);
    for (let i = 0; i < 20; i++) map.set('same', i, 40);
    expect(map.size).toBe(1);
    expect(map.bytes).toBe(40);
    expect(map.get('same')).toBe(19);
  });
});
