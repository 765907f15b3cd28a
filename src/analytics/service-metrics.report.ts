import type { ServiceMetrics } from './service-metrics.types';
import type { AgentMetrics, SlaAttainment } from './care-report.types';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function table(title: string, head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const body = rows.length ? cells.slice(1).map(line) : ['(none)'];
  return [`${title}`, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body, ''].join('\n');
}

const secs = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/** The metrics as plain-text tables for a terminal. */
export function metricsAsText(m: ServiceMetrics): string {
  const grid = DAYS.map((day, d) => [day, ...Array.from({ length: 24 }, (_, h) => m.arrivalPattern.find((c) => c.dayOfWeek === d + 1 && c.hour === h)?.count ?? 0)]);
  return [
    `Service metrics ${m.from.toISOString()} .. ${m.to.toISOString()} (${m.days.toFixed(2)} days, time zone ${m.timeZone})`,
    '',
    table('Summary', ['metric', 'value'], [
      ['customers helped', m.customersHelped], ['customers thanked', m.customersThanked], ['unanswered items', m.unanswered],
      ['incidents opened', m.incidents], ['incident posters reached', m.incidentPostersReached],
    ]),
    table('Service issues by source', ['channel', 'items'], m.volumeBySource.map((r) => [r.channel, r.count])),
    table('Top complaints', ['topic', 'items'], m.topComplaints.map((r) => [r.topic, r.count])),
    table('Top inquiries', ['topic', 'items'], m.topInquiries.map((r) => [r.topic, r.count])),
    table('Response time by source', ['channel', 'answered', 'median', 'p90'], m.responseTimeBySource.map((r) => [r.channel, r.count, secs(r.medianSeconds), secs(r.p90Seconds)])),
    table('Escalations by source', ['channel', 'escalations'], m.escalationsBySource.map((r) => [r.channel, r.count])),
    table('Heat map (actionable items a day)', ['channel', 'items', 'per day', 'level'], m.heatMap.map((r) => [r.channel, r.count, r.perDay.toFixed(2), r.level ?? '-'])),
    table('Arrival pattern (items by day and hour)', ['day', ...Array.from({ length: 24 }, (_, h) => String(h))], grid),
    table('Brand channels', ['channel', 'handle', 'items', 'answered', 'unanswered', 'median'], m.byBrandChannel.map((r) => [
      r.brandChannel.channel, r.brandChannel.handle, r.count, r.answered, r.unanswered, r.medianSeconds === null ? '-' : secs(r.medianSeconds),
    ])),
    table('Replies by template', ['template', 'version', 'replies'], m.repliesByTemplate.map((r) => [r.name, r.version, r.replies])),
    table('Kept out by do-not-engage rules', ['rule', 'posts'], m.doNotEngageFiltered.map((r) => [r.name, r.count])),
  ].join('\n');
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const LEVEL_COLOUR: Record<string, string> = { HOT: '#d7301f', MEDIUM: '#fc8d59', MILD: '#fdcc8a' };

function heatChart(m: ServiceMetrics): string {
  const rowH = 26;
  const max = Math.max(50, ...m.heatMap.map((h) => h.perDay));
  const width = 520;
  const bars = m.heatMap.map((h, i) => {
    const w = Math.max(1, (h.perDay / max) * (width - 230));
    const y = i * rowH;
    return `<text x="0" y="${y + 17}" font-size="13">${escape(h.channel)}</text>
      <rect x="110" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${LEVEL_COLOUR[h.level ?? ''] ?? '#ddd'}"><title>${h.count} items</title></rect>
      <text x="${(116 + w).toFixed(1)}" y="${y + 17}" font-size="12">${h.perDay.toFixed(2)}/day ${h.level ?? ''}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${Math.max(1, m.heatMap.length) * rowH}" role="img" aria-label="Heat map by channel">${bars.join('')}</svg>`;
}

function arrivalChart(m: ServiceMetrics): string {
  const cell = 22;
  const left = 40;
  const top = 18;
  const max = Math.max(1, ...m.arrivalPattern.map((c) => c.count));
  const cells: string[] = [];
  for (let h = 0; h < 24; h++) cells.push(`<text x="${left + h * cell + 5}" y="12" font-size="10">${h}</text>`);
  DAYS.forEach((day, d) => {
    cells.push(`<text x="0" y="${top + d * cell + 15}" font-size="12">${day}</text>`);
    for (let h = 0; h < 24; h++) {
      const count = m.arrivalPattern.find((c) => c.dayOfWeek === d + 1 && c.hour === h)?.count ?? 0;
      const alpha = count === 0 ? 0.04 : 0.15 + 0.85 * (count / max);
      cells.push(`<rect x="${left + h * cell}" y="${top + d * cell}" width="${cell - 2}" height="${cell - 2}" fill="rgba(33,102,172,${alpha.toFixed(3)})"><title>${day} ${h}:00 - ${count} items</title></rect>`);
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + 24 * cell}" height="${top + 7 * cell}" role="img" aria-label="Arrival pattern">${cells.join('')}</svg>`;
}

function htmlTable(head: string[], rows: (string | number)[][]): string {
  if (!rows.length) return '<p>(none)</p>';
  return `<table><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${escape(String(v))}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

/** A self-contained HTML page (inline CSS and SVG, no external assets). */
export function metricsAsHtml(m: ServiceMetrics): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service metrics</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}td:first-child,th:first-child{text-align:left}h2{margin-top:1.6em}</style>
</head><body>
<h1>Service metrics</h1>
<p>${escape(m.from.toISOString())} to ${escape(m.to.toISOString())} (${m.days.toFixed(2)} days), time zone ${escape(m.timeZone)}</p>
${htmlTable(['metric', 'value'], [['customers helped', m.customersHelped], ['customers thanked', m.customersThanked], ['unanswered items', m.unanswered], ['incidents opened', m.incidents], ['incident posters reached', m.incidentPostersReached]])}
<h2>Heat map by channel</h2>${heatChart(m)}
<h2>Arrival pattern</h2>${arrivalChart(m)}
<h2>Service issues by source</h2>${htmlTable(['channel', 'items'], m.volumeBySource.map((r) => [r.channel, r.count]))}
<h2>Top complaints</h2>${htmlTable(['topic', 'items'], m.topComplaints.map((r) => [r.topic, r.count]))}
<h2>Top inquiries</h2>${htmlTable(['topic', 'items'], m.topInquiries.map((r) => [r.topic, r.count]))}
<h2>Response time by source</h2>${htmlTable(['channel', 'answered', 'median', 'p90'], m.responseTimeBySource.map((r) => [r.channel, r.count, secs(r.medianSeconds), secs(r.p90Seconds)]))}
<h2>Escalations by source</h2>${htmlTable(['channel', 'escalations'], m.escalationsBySource.map((r) => [r.channel, r.count]))}
<h2>Kept out by do-not-engage rules</h2>${htmlTable(['rule', 'posts'], m.doNotEngageFiltered.map((r) => [r.name, r.count]))}
</body></html>
`;
}

const pct = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)} %`);

/**
 * The care leader's part of the report: SLA attainment with the response bands (per channel) and
 * each agent's work, as plain-text tables (care-report.service.ts computes them).
 */
export function careLeaderAsText(sla: readonly SlaAttainment[], agents: readonly AgentMetrics[]): string {
  const bandLabels = sla[0]?.bands.map((b) => b.label) ?? ['under 1 h', 'under 3 h', 'under 24 h', '24 h or more', 'unanswered'];
  return [
    table('SLA attainment by channel (response time in the business hours of each target)', ['channel', 'items', 'in time', 'attainment', ...bandLabels],
      sla.map((r) => [r.key, r.items, r.withinTarget, pct(r.attainment), ...r.bands.map((b) => b.count)])),
    table('Agents\' work (items whose first reply the agent sent)', ['agent', 'handled', 'customers', 'median response', 'first contact', 'SLA attainment'],
      agents.map((a) => [a.agentId, a.handled, a.customersHelped, a.medianResponseSeconds === null ? '-' : secs(a.medianResponseSeconds),
        pct(a.firstContactResolutionRate), pct(a.slaAttainment)])),
  ].join('\n');
}
