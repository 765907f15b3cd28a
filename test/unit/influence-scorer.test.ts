import { influenceFormula, scoreInfluence } from '../../src/influence/influence-scorer';

describe('default influence scorer', () => {
  it('gives 1 to a customer with no followers and no public posts', () => {
    expect(scoreInfluence({ followerCounts: [], publicPosts: [] })).toEqual([{ topic: null, score: 1 }]);
  });

  it('gives the full 10 at 10 million followers, 100 posts and 100 million reach', () => {
    expect(influenceFormula(1e7, 100, 1e8)).toBe(10);
  });

  it('follows the documented formula for a hand-computed case', () => {
    // 1 + 9 x (0.6 x log10(1001)/7 + 0.15 x log10(3)/2 + 0.25 x log10(2001)/8)
    const expected = 1 + 9 * (0.6 * (Math.log10(1001) / 7) + 0.15 * (Math.log10(3) / 2) + 0.25 * (Math.log10(2001) / 8));
    expect(influenceFormula(1000, 2, 2000)).toBeCloseTo(expected, 2);
  });

  it('grows with followers on a log scale', () => {
    const scores = [10, 1000, 100_000].map((f) => influenceFormula(f, 0, 0));
    expect(scores[1] - scores[0]).toBeCloseTo(scores[2] - scores[1], 1);
  });

  it('scores each topic of the public posts from that topic\'s posts and reach', () => {
    const results = scoreInfluence({
      followerCounts: [5000, null],
      publicPosts: [
        { topics: ['mileage', 'warranty'], authorFollowers: 5000 },
        { topics: ['mileage'], authorFollowers: 5000 },
      ],
    });
    expect(results.map((r) => r.topic)).toEqual([null, 'mileage', 'warranty']);
    expect(results[1].score).toBe(influenceFormula(5000, 2, 10_000));
    expect(results[2].score).toBe(influenceFormula(5000, 1, 5000));
    expect(results[1].score).toBeGreaterThan(results[2].score);
  });
});
