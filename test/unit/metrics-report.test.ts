import 'reflect-metadata';
import { metricsAsHtml, metricsAsText } from '../../src/analytics/service-metrics.report';
import { HeatLevel, type ServiceMetrics } from '../../src/analytics/service-metrics.types';
import { Channel } from '../../src/graphql/enums';

const metrics: ServiceMetrics = {
  from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z'), timeZone: 'UTC', days: 2,
  customersHelped: 4, customersThanked: 1, unanswered: 2, incidents: 1, incidentPostersReached: 3,
  volumeBySource: [{ channel: Channel.TWITTER, count: 4 }],
  topComplaints: [{ topic: '<brakes>', count: 3 }], topInquiries: [],
  responseTimeBySource: [{ channel: Channel.TWITTER, count: 3, medianSeconds: 5400, p90Seconds: 6840 }],
  escalationsBySource: [],
  heatMap: [{ channel: Channel.CHAT, count: 100, perDay: 50, level: HeatLevel.HOT }],
  arrivalPattern: [{ dayOfWeek: 1, hour: 10, count: 100 }],
  byBrandChannel: [{
    brandChannel: { id: 'b1', channel: Channel.TWITTER, handle: 'acmecare', name: 'Acme Care', monitored: true, businessHours: null, slaTargets: [], createdAt: new Date(), removedAt: null },
    count: 4, answered: 3, unanswered: 1, medianSeconds: 600, p90Seconds: 900,
  }],
  repliesByTemplate: [{ templateId: 't1', name: 'Sorry to hear', version: 2, replies: 3 }],
  doNotEngageFiltered: [{ ruleId: 'r1', name: 'spam-bots', count: 7 }],
};

describe('service metrics report', () => {
  it('prints every section as a terminal table', () => {
    const text = metricsAsText(metrics);
    for (const title of ['Summary', 'Service issues by source', 'Top complaints', 'Top inquiries', 'Response time by source', 'Escalations by source', 'Heat map', 'Arrival pattern', 'Brand channels', 'Replies by template']) {
      expect(text).toContain(title);
    }
    expect(text).toMatch(/TWITTER\s+3\s+1\.5 h\s+1\.9 h/);
    expect(text).toMatch(/Kept out by do-not-engage rules[\s\S]*spam-bots\s+7/);
  });

  it('writes a self-contained HTML page with inline SVG charts and escaped text', () => {
    const html = metricsAsHtml(metrics);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/(src|href)=|@import|url\(/);
    expect(html).toContain('&lt;brakes&gt;');
    expect(html).toContain('Mon 10:00 - 100 items');
  });
});
