// `npm run bench:text-match [-- posts]`: classifies and routes the bench:ingest posts (bench/post-templates.ts)
// with the default stored rules, as ingestion's rowOf does, and prints microseconds per post
// (default 100,000 posts, after a warm-up). No database: the default rules are read from the
// CareWorkflow migration by a query runner that only records its INSERTs. Every 1,000 posts
// get fresh copies of the rule arrays, as each recordInteractions call loads them anew.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { QueryRunner } from 'typeorm';
import { CareWorkflow1795650000000 } from '../migrations/1795650000000-CareWorkflow';
import type { CareRules, EscalationRule, LaneRule, SkillGroupRule } from '../src/care/rules/care-rules';
import { churnRuleHit } from '../src/care/rules/churn';
import { classify } from '../src/care/rules/classifier';
import { laneFor, skillGroupFor } from '../src/care/rules/routing';
import { foldText } from '../src/care/rules/text-match';
import { Channel, EscalationTeam, SwimLane } from '../src/graphql/enums';
import { POST_TEMPLATES } from './post-templates';

const POSTS = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;


type Rules = Pick<CareRules, 'lanes' | 'skillGroups' | 'escalations'>;

/** The rules the migration inserts, picked out of its INSERT parameters. */
async function defaultRules(): Promise<Rules> {
  const rules: Rules = { lanes: [], skillGroups: [], escalations: [] };
  const recorder = {
    query: async (sql: string, params: unknown[] = []) => {
      const insert = /^\s*INSERT INTO (care_lane_rules|care_skill_groups|care_escalation_rules)\b/.exec(sql)?.[1];
      if (insert === 'care_lane_rules') {
        const [name, position, channels, categories, keywords, hashtags] = params as [string, number, Channel[], LaneRule['categories'], string[], string[]];
        rules.lanes.push({ name, position, lane: SwimLane.MARKETING_PR, channels, categories, keywords, hashtags, enabled: true });
      } else if (insert === 'care_skill_groups') {
        const [name, position, keywords, hashtags] = params as [string, number, string[], string[]];
        rules.skillGroups.push({ name, position, keywords, hashtags } satisfies SkillGroupRule);
      } else if (insert === 'care_escalation_rules') {
        const phrases = params[1] as string[];
        rules.escalations.push({ name: 'churn', kind: 'CHURN', team: EscalationTeam.RETENTION, threshold: null, windowMinutes: null, phrases, enabled: true } satisfies EscalationRule);
      }
      return [];
    },
  };
  await new CareWorkflow1795650000000().up(recorder as unknown as QueryRunner);
  return rules;
}

/** What rowOf works out for one post; returned so the work is not optimised away and can be compared. */
function route(content: string, rules: Rules) {
  const folded = foldText(content);
  const { category, sentiment, topics } = classify(content);
  const skillGroup = skillGroupFor(rules.skillGroups, { folded, topics });
  const churn = churnRuleHit(rules.escalations, folded)?.phrases ?? null;
  const lane = laneFor(rules.lanes, { channel: Channel.TWITTER, category, folded, topics });
  return { category, sentiment, topics, skillGroup, churn, lane };
}

/** Routes `posts` posts; returns wall-clock and CPU microseconds per post, and a digest of the first 1,000 results. */
function run(posts: number, defaults: Rules): { wall: number; cpu: number; digest: string } {
  const hash = createHash('sha256');
  let rules = defaults;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let n = 0; n < posts; n++) {
    if (n % BATCH === 0) rules = structuredClone(defaults);
    const result = route(`${POST_TEMPLATES[n % POST_TEMPLATES.length]} (${n})`, rules);
    if (n < 1000) hash.update(JSON.stringify(result));
  }
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - started) * 1000) / posts, cpu: (used.user + used.system) / posts, digest: hash.digest('hex').slice(0, 16) };
}

async function main(): Promise<void> {
  const defaults = await defaultRules();
  run(Math.min(POSTS, 20_000), defaults); // warm-up: JIT and compile caches
  const { wall, cpu, digest } = run(POSTS, defaults);
  // CPU time is the steadier number on a busy machine; the digest shows two builds route alike.
  console.log(`${POSTS} posts: ${wall.toFixed(2)} µs/post wall, ${cpu.toFixed(2)} µs/post CPU (results digest ${digest})`);
}

void main();
