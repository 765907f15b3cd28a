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

describe('growth in the default scorer', () => {
  it('changes nothing when the growth is unknown or zero', () => {
    expect(influenceFormula(1000, 2, 2000, null)).toBe(influenceFormula(1000, 2, 2000));
    expect(influenceFormula(1000, 2, 2000, 0)).toBe(influenceFormula(1000, 2, 2000));
  });

  it('adds 0.9 points for a doubled network and takes 0.9 for a lost one, as documented', () => {
    const base = 1 + 9 * (0.6 * (Math.log10(1001) / 7));
    expect(influenceFormula(1000, 0, 0, 1)).toBeCloseTo(base + 0.9, 2);
    expect(influenceFormula(1000, 0, 0, -1)).toBeCloseTo(base - 0.9, 2);
    expect(influenceFormula(1000, 0, 0, 0.5)).toBeCloseTo(base + 0.45, 2);
  });

  it('caps growth at plus or minus 100% and keeps the score on the 1-10 scale', () => {
    expect(influenceFormula(1000, 0, 0, 50)).toBe(influenceFormula(1000, 0, 0, 1));
    expect(influenceFormula(0, 0, 0, -1)).toBe(1);
    expect(influenceFormula(1e7, 100, 1e8, 1)).toBe(10);
  });

  it('applies the same growth to the overall score and every topic', () => {
    const input = { followerCounts: [1000], publicPosts: [{ topics: ['mileage'], authorFollowers: 1000 }] };
    const flat = scoreInfluence(input);
    const grown = scoreInfluence({ ...input, growth: 1 });
    expect(grown.map((r) => r.topic)).toEqual(flat.map((r) => r.topic));
    grown.forEach((r, i) => expect(r.score - flat[i].score).toBeCloseTo(0.9, 2));
  });
});
