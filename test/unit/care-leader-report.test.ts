import { careLeaderAsText } from '../../src/analytics/service-metrics.report';

describe('npm run report: the care leader\'s tables', () => {
  it('prints attainment with every response band per channel, and each agent\'s work', () => {
    const text = careLeaderAsText(
      [{ key: 'TWITTER', items: 5, withinTarget: 1, attainment: 0.2, bands: [
        { label: 'under 1 h', upToMinutes: 60, count: 1 }, { label: 'under 3 h', upToMinutes: 180, count: 1 },
        { label: 'under 24 h', upToMinutes: 1440, count: 1 }, { label: '24 h or more', upToMinutes: null, count: 1 },
        { label: 'unanswered', upToMinutes: null, count: 1 },
      ] }],
      [{ agentId: 'alice', handled: 3, customersHelped: 2, medianResponseSeconds: 4500, firstContactResolutionRate: 1 / 3, slaAttainment: 2 / 3 }],
    );
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('channel'))!.split(/\s{2,}/)).toEqual(
      ['channel', 'items', 'in time', 'attainment', 'under 1 h', 'under 3 h', 'under 24 h', '24 h or more', 'unanswered']);
    expect(lines.find((l) => l.startsWith('TWITTER'))!.split(/\s{2,}/)).toEqual(['TWITTER', '5', '1', '20.0 %', '1', '1', '1', '1', '1']);
    expect(lines.find((l) => l.startsWith('alice'))!.split(/\s{2,}/)).toEqual(['alice', '3', '2', '1.3 h', '33.3 %', '66.7 %']);
  });
});
