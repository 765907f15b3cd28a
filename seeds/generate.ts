import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Faker } from '@faker-js/faker';
import { faker as fakerDE } from '@faker-js/faker/locale/de';
import { faker as fakerCA } from '@faker-js/faker/locale/en_CA';
import { faker as fakerGB } from '@faker-js/faker/locale/en_GB';
import { faker as fakerUS } from '@faker-js/faker/locale/en_US';
import { faker as fakerFR } from '@faker-js/faker/locale/fr';
import { uuidV7 } from '../src/db/ids';
import { nameKey as nameKeyOf } from '../src/identities/identity-linker';
import { Random, weighted } from './random';
import * as v from './vocabulary';

export interface SeedOptions {
  customers: number;
  /** Same seed, same people, places, counts and texts, relative to now (ids, phone numbers and the run tag differ). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** Customers per transaction. */
  batchSize?: number;
  /** Batches written at the same time, each on its own connection. */
  concurrency?: number;
  /**
   * Makes emails, handles and user ids unique to this run so seeding twice appends
   * without unique violations. Random by default; reusing one collides on purpose.
   */
  runTag?: string;
}

export interface SeedCounts {
  customers: number;
  contactPoints: number;
  socialIdentities: number;
  consentEvents: number;
  conversations: number;
  interactions: number;
  influenceScores: number;
  purchases: number;
}

export interface SeedResult extends SeedCounts {
  runTag: string;
  seed: number;
  /** Ids of the customers this call created (batches may commit out of order). */
  customerIds: string[];
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const HISTORY_DAYS = 90;
const SEED_ACTOR = 'seed';
const SCORE_SOURCE = 'seed-default';

/** COPY column lists; the row builders below write fields in exactly this order. */
const COLUMNS = {
  customers: 'id, display_name, name_key, city, region, country, tier, attributes, created_at, updated_at',
  contactPoints: 'id, customer_id, kind, value, verified, captured_via, captured_at, captured_by',
  socialIdentities:
    'id, customer_id, platform, handle, external_user_id, profile_url, follower_count, verified, captured_via, captured_at, captured_by',
  consentEvents:
    'customer_id, social_identity_id, contact_point_id, purpose, status, recorded_at, source, recorded_by, wording, expires_at',
  conversations: 'id, customer_id, origin_channel, current_channel, channels, started_at, last_activity_at',
  interactions:
    'id, customer_id, conversation_id, social_identity_id, channel, direction, occurred_at, content, is_public, category, ' +
    'sentiment, topics, lane, skill_group, status, responded_at, resolved_at, sla_due_at, in_reply_to_id, created_at',
  influenceScores: 'customer_id, score, topic, platform, source, computed, flagged, measured_at, recorded_at',
  purchases: 'id, customer_id, product, category, amount, currency, purchased_at, channel, idempotency_key, content_hash, created_by',
} as const;

/**
 * COPY text (tab-separated, \N for NULL) of one table, written straight into a growing
 * Buffer: each row string dies young, instead of a batch-long string rope that the garbage
 * collector has to promote and walk (that cost more than generating the data).
 */
class CopyText {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  rows = 0;

  add(row: string): void {
    const worstCase = this.length + row.length * 3;
    if (worstCase > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(worstCase, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(row, this.length);
    this.rows++;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** One batch, one CopyText per table. */
interface BatchText {
  customerIds: string[];
  customers: CopyText;
  emails: CopyText;
  /** Phones go through a staging table: random numbers may already exist from an earlier run. */
  phones: CopyText;
  socialIdentities: CopyText;
  consentEvents: CopyText;
  conversations: CopyText;
  interactions: CopyText;
  influenceScores: CopyText;
  purchases: CopyText;
}

interface Identity {
  id: string;
  platform: string;
  followers: number;
}

const NULL = '\\N';
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayPrefixes = new Map<number, string>();
/** ISO-8601 UTC like Date#toISOString, ~5x faster: ten million of these per 100k customers. */
function iso(epochMs: number): string {
  const ms = Math.floor(epochMs);
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) dayPrefixes.set(day, (prefix = new Date(day * DAY).toISOString().slice(0, 11)));
  const inDay = ms - day * DAY;
  return `${prefix}${TWO_DIGITS[Math.floor(inDay / HOUR)]}:${TWO_DIGITS[Math.floor(inDay / 60_000) % 60]}:${TWO_DIGITS[Math.floor(inDay / 1000) % 60]}.${THREE_DIGITS[inDay % 1000]}Z`;
}
/** COPY text format reserves backslash, tab and line breaks. */
const escapeCopy = (text: string): string =>
  /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : text;
const asciiWord = (word: string): string => word.replace(/[^a-z0-9]/g, '');

const pickTier = weighted(v.TIERS);
const pickContactTouchpoint = weighted(v.CONTACT_TOUCHPOINTS);
const pickHandleTouchpoint = weighted(v.HANDLE_TOUCHPOINTS);
const pickPlatform = weighted(v.PLATFORMS);
const pickDirectChannel = weighted(v.DIRECT_CHANNELS);
const pickOfflineChannel = weighted(v.OFFLINE_CHANNELS);
const pickCategory = weighted(v.CATEGORIES);
const pickHour = weighted(v.HOUR_WEIGHTS);
const pickCountry = weighted(v.COUNTRIES.map((c) => [c, c.weight] as const));
const pickIdentityCount = weighted([[1, 40], [2, 30], [3, 20], [4, 10]] as const);
const pickConversationLength = weighted([[1, 25], [2, 30], [3, 15], [4, 15], [5, 5], [6, 5], [7, 2], [8, 3]] as const);

/** Sentiment ranges of a conversation's first message, by category. */
const OPENING_SENTIMENT: Readonly<Record<string, readonly [number, number]>> = {
  COMPLAINT: [-1, -0.3],
  QUESTION: [-0.2, 0.3],
  COMPLIMENT: [0.5, 1],
  PROACTIVE: [-0.1, 0.5],
  SALES_LEAD: [0.1, 0.6],
  OTHER: [-0.2, 0.2],
};

/**
 * A handle already normalised the way src/identities/normalise.ts does it: lower case, no "@";
 * Twitter/X at most 15 of [a-z0-9_]; a WhatsApp identity is its E.164 number.
 */
function handleFor(platform: string, base: string, suffix: string, whatsappNumber: () => string): string {
  if (platform === 'WHATSAPP') return whatsappNumber();
  if (platform === 'TWITTER') return `${base.slice(0, Math.max(1, 15 - suffix.length))}${suffix}`;
  return `${base.slice(0, 20)}_${suffix}`;
}

/**
 * Builds rows in memory, batch by batch. Holds the run-wide state: the random streams,
 * the per-run tag that keeps unique values unique, and the phones already used.
 */
class Generator {
  private readonly rng: Random;
  /** Phone numbers must differ between runs of the same seed, so their stream also hangs on the run tag. */
  private readonly phoneRng: Random;
  private readonly runNumber: string;
  private readonly now = Date.now();
  private readonly todayStart = Math.floor(this.now / DAY) * DAY;

  constructor(
    seed: number,
    private readonly fakers: Readonly<Record<v.Country['fakerLocale'], Faker>>,
    private readonly runTag: string,
    private readonly namesakes: boolean,
    /** Phone numbers (contact points and WhatsApp handles) already in the database. */
    private readonly usedPhones: Set<string>,
  ) {
    this.rng = new Random(seed);
    this.phoneRng = new Random(seed ^ parseInt(runTag, 36));
    for (const faker of Object.values(fakers)) faker.seed(seed);
    // Ten digits, so external user ids of different runs never share a prefix.
    this.runNumber = String(parseInt(runTag, 36) % 1e10).padStart(10, '0');
  }

  batch(firstSeq: number, size: number): BatchText {
    const out: BatchText = {
      customerIds: [],
      customers: new CopyText(),
      emails: new CopyText(),
      phones: new CopyText(),
      socialIdentities: new CopyText(),
      consentEvents: new CopyText(),
      conversations: new CopyText(),
      interactions: new CopyText(),
      influenceScores: new CopyText(),
      purchases: new CopyText(),
    };
    for (let seq = firstSeq; seq < firstSeq + size; seq++) this.customer(seq, out);
    return out;
  }

  private customer(seq: number, out: BatchText): void {
    const rng = this.rng;
    const namesake = this.namesakes && seq < v.NAMESAKES.length ? v.NAMESAKES[seq] : undefined;
    const country = namesake ? v.COUNTRIES[0] : pickCountry(rng);
    const faker = this.fakers[country.fakerLocale];
    const first = namesake ? 'Chad' : faker.person.firstName();
    const last = namesake ? 'Schaeffer' : faker.person.lastName();
    const displayName = escapeCopy(`${first} ${last}`);
    const nameKey = nameKeyOf(displayName);
    const [city, region] = namesake ? [namesake.city, 'SD'] : rng.pick(country.places);
    const tier = pickTier(rng);
    const id = uuidV7();
    // Customers joined before the 90-day interaction window, so every handle predates its posts.
    const createdAt = this.now - (HISTORY_DAYS + 1) * DAY - rng.next() * 4 * 365 * DAY;
    const knownSince = (): number => createdAt + rng.next() * (this.now - HISTORY_DAYS * DAY - createdAt);
    const [minValue, maxValue] = v.LIFETIME_VALUE[tier];
    const attributes = JSON.stringify({
      lifetimeValue: Math.round(rng.between(minValue, maxValue) * 100) / 100,
      loyaltyMember: tier !== 'NONE' || rng.chance(0.1),
      paymentReliability: rng.chance(0.85) ? 'GOOD' : rng.chance(0.8) ? 'LATE' : 'DEFAULT',
      ownedModel: rng.pick(v.PRODUCTS),
    });
    out.customerIds.push(id);
    out.customers.add(`${id}\t${displayName}\t${nameKey}\t${escapeCopy(city)}\t${escapeCopy(region)}\t${country.code}\t${tier}\t${escapeCopy(attributes)}\t${iso(createdAt)}\t${iso(createdAt + rng.next() * (this.now - createdAt))}\n`);

    // Unique suffix: run tag (fixed length) then the customer's sequence number.
    const suffix = `${this.runTag}${seq.toString(36)}`;
    const [firstWord, lastWord] = nameKey.split(' ', 2).map((w) => asciiWord(w) || 'user');
    const emailCount = rng.chance(0.7) ? 1 : 2;
    const domainIndex = rng.int(0, v.EMAIL_DOMAINS.length - 1);
    for (let i = 0; i < emailCount; i++) {
      const local = namesake && i === 0 ? namesake.email : i === 0 ? `${firstWord}.${lastWord}` : `${lastWord}${firstWord[0]}`;
      const domain = namesake && i === 0 ? namesake.domain : v.EMAIL_DOMAINS[(domainIndex + i) % v.EMAIL_DOMAINS.length];
      const emailId = uuidV7();
      const capturedAt = knownSince();
      const capturedVia = pickContactTouchpoint(rng);
      out.emails.add(`${emailId}\t${id}\tEMAIL\t${local}.${suffix}@${domain}\t${rng.chance(0.6) ? 't' : 'f'}\t${capturedVia}\t${iso(capturedAt)}\t${SEED_ACTOR}\n`);
      if (rng.chance(0.4)) {
        this.consent(out, id, NULL, emailId, 'MARKETING', 'GRANTED', capturedAt, 'NEWSLETTER_OPT_IN', NULL);
      }
    }
    const phoneCount = rng.chance(0.3) ? 0 : rng.chance(0.7) ? 1 : 2;
    const phones: string[] = [];
    for (let i = 0; i < phoneCount; i++) {
      const phone = this.phone(country, namesake?.phonePrefix);
      phones.push(phone);
      out.phones.add(`${uuidV7()}\t${id}\tPHONE\t${phone}\t${rng.chance(0.5) ? 't' : 'f'}\t${pickContactTouchpoint(rng)}\t${iso(knownSince())}\t${SEED_ACTOR}\n`);
    }

    const whatsappNumber = (): string => phones[0] ?? this.phone(country);
    const identities = this.identities(out, id, firstWord + lastWord, suffix, seq, whatsappNumber, knownSince);
    this.influence(out, id, identities);
    const interactionCount = Math.min(60, Math.floor(64 * rng.next() ** 2)); // 0..60, skewed low, mean ~20
    for (let planned = 0; planned < interactionCount; ) {
      planned += this.conversation(out, id, escapeCopy(first), identities, interactionCount - planned);
    }
    this.purchases(out, id, country.code, attributes, createdAt);
  }

  /** A plausible E.164 number of the country, not yet in the database nor in this run. */
  private phone(country: v.Country, prefix = this.phoneRng.pick(country.phonePrefixes)): string {
    for (;;) {
      // NANP exchange codes start with 2-9; harmless elsewhere.
      let phone = `+${prefix}${this.phoneRng.int(2, 9)}`;
      while (phone.length < country.digits + 1) phone += this.phoneRng.int(0, 9);
      if (!this.usedPhones.has(phone)) {
        this.usedPhones.add(phone);
        return phone;
      }
    }
  }

  private identities(
    out: BatchText,
    customerId: string,
    handleBase: string,
    suffix: string,
    seq: number,
    whatsappNumber: () => string,
    knownSince: () => number,
  ): Identity[] {
    const rng = this.rng;
    const platforms = new Set<string>();
    const count = pickIdentityCount(rng);
    while (platforms.size < count) platforms.add(pickPlatform(rng));
    const identities: Identity[] = [];
    for (const platform of platforms) {
      const id = uuidV7();
      const handle = handleFor(platform, handleBase, suffix, whatsappNumber);
      const followers = Math.min(50_000_000, Math.floor(Math.exp(4.5 + 2 * rng.normal())));
      const userId = v.PLATFORMS_WITH_USER_ID.has(platform) ? `${this.runNumber}${String(seq).padStart(8, '0')}` : NULL;
      const profileUrl = rng.chance(0.7) ? v.PROFILE_URL[platform](handle) : NULL;
      const verified = followers > 100_000 && rng.chance(0.5) ? 't' : 'f';
      const capturedVia = pickHandleTouchpoint(rng);
      const capturedAt = knownSince();
      out.socialIdentities.add(`${id}\t${customerId}\t${platform}\t${handle}\t${userId}\t${profileUrl}\t${followers}\t${verified}\t${capturedVia}\t${iso(capturedAt)}\t${SEED_ACTOR}\n`);
      identities.push({ id, platform, followers });
      this.identityConsents(out, customerId, id, capturedAt, capturedVia);
    }
    return identities;
  }

  /** Consent history per purpose; no event means UNKNOWN (never asked). */
  private identityConsents(out: BatchText, customerId: string, identityId: string, capturedAt: number, source: string): void {
    const rng = this.rng;
    const at = capturedAt + rng.next() * HOUR;
    if (rng.chance(0.6)) this.consent(out, customerId, identityId, NULL, 'SERVICE', 'GRANTED', at, source, NULL);
    const marketing = rng.next();
    if (marketing < 0.35) {
      // Some grants hold for a year only; older ones have expired by now.
      const expires = rng.chance(0.3) ? iso(at + 365 * DAY) : NULL;
      this.consent(out, customerId, identityId, NULL, 'MARKETING', 'GRANTED', at, source, expires);
    } else if (marketing < 0.5) {
      this.consent(out, customerId, identityId, NULL, 'MARKETING', 'DENIED', at, source, NULL);
    } else if (marketing < 0.6) {
      this.consent(out, customerId, identityId, NULL, 'MARKETING', 'GRANTED', at, source, NULL);
      const revokedAt = at + rng.next() * (this.now - at);
      this.consent(out, customerId, identityId, NULL, 'MARKETING', 'REVOKED', revokedAt, rng.pick(['SOCIAL_MESSAGE', 'SERVICE_CALL']), NULL);
    }
    const profiling = rng.next();
    if (profiling < 0.3) this.consent(out, customerId, identityId, NULL, 'PROFILING', 'GRANTED', at, source, NULL);
    else if (profiling < 0.35) this.consent(out, customerId, identityId, NULL, 'PROFILING', 'DENIED', at, source, NULL);
  }

  private consent(
    out: BatchText,
    customerId: string,
    identityId: string,
    contactPointId: string,
    purpose: 'SERVICE' | 'MARKETING' | 'PROFILING',
    status: 'GRANTED' | 'DENIED' | 'REVOKED',
    at: number,
    source: string,
    expiresAt: string,
  ): void {
    out.consentEvents.add(`${customerId}\t${identityId}\t${contactPointId}\t${purpose}\t${status}\t${iso(at)}\t${source}\t${SEED_ACTOR}\t${v.CONSENT_WORDING[purpose]}\t${expiresAt}\n`);
  }

  /**
   * Purchases: the model the customer owns (its attributes' ownedModel) when they joined, then
   * 0-4 after-sales purchases since, in the customer's currency; recorded as an ingestion job would.
   */
  private purchases(out: BatchText, customerId: string, countryCode: string, attributes: string, createdAt: number): void {
    const rng = this.rng;
    const currency = v.CURRENCY[countryCode] ?? 'USD';
    const price = ([min, max]: readonly [number, number]) => (Math.round(rng.between(min, max) * 100) / 100).toString();
    const add = (product: string, category: string, amount: string, at: number, channel: string) => {
      const purchaseId = uuidV7();
      out.purchases.add(`${purchaseId}\t${customerId}\t${product}\t${category}\t${amount}\t${currency}\t${iso(at)}\t${channel}\tseed:${this.runTag}:${purchaseId}\tseed\t${SEED_ACTOR}\n`);
    };
    add((JSON.parse(attributes) as { ownedModel: string }).ownedModel, 'vehicle', price(v.VEHICLE_PRICE), createdAt, 'IN_STORE');
    const extras = rng.int(0, 4);
    for (let i = 0; i < extras; i++) {
      const extra = rng.pick(v.AFTER_SALES);
      add(extra.product, extra.category, price(extra.price), createdAt + rng.next() * (this.now - createdAt), rng.chance(0.7) ? 'IN_STORE' : 'OTHER');
    }
  }

  /** Score history over the window (rising or falling), plus a few per-topic scores. */
  private influence(out: BatchText, customerId: string, identities: readonly Identity[]): void {
    const rng = this.rng;
    const followers = Math.max(...identities.map((i) => i.followers));
    const base = 1 + 1.3 * Math.log10(1 + followers);
    const drift = rng.normal() * 0.8; // change across the window
    const clampScore = (s: number): string => (Math.round(Math.min(10, Math.max(1, s)) * 100) / 100).toString();
    const points = rng.int(3, 6);
    for (let i = 0; i < points; i++) {
      const progress = i / (points - 1);
      const measuredAt = this.now - HISTORY_DAYS * DAY * (1 - progress) - rng.next() * DAY;
      const score = clampScore(base + drift * (progress - 1) + rng.normal() * 0.15);
      out.influenceScores.add(`${customerId}\t${score}\t${NULL}\t${NULL}\t${SCORE_SOURCE}\tt\tf\t${iso(measuredAt)}\t${iso(measuredAt + 60_000)}\n`);
    }
    if (!rng.chance(0.35)) return;
    const topicCount = rng.int(1, 2);
    for (let t = 0; t < topicCount; t++) {
      const topic = rng.pick(v.TOPICS).tag;
      const platform = rng.chance(0.5) ? rng.pick(identities).platform : NULL;
      const topicBase = base + rng.normal();
      for (let i = 0; i < 2; i++) {
        const measuredAt = this.now - rng.next() * HISTORY_DAYS * DAY;
        out.influenceScores.add(`${customerId}\t${clampScore(topicBase + rng.normal() * 0.3)}\t${topic}\t${platform}\t${SCORE_SOURCE}\tt\tf\t${iso(measuredAt)}\t${iso(measuredAt + 60_000)}\n`);
      }
    }
  }

  /** A moment in the window, following the hour-of-day and weekday pattern of real traffic. */
  private conversationStart(): number {
    const rng = this.rng;
    let day = rng.int(0, HISTORY_DAYS - 1);
    const weekday = new Date(this.todayStart - day * DAY).getUTCDay();
    if ((weekday === 0 || weekday === 6) && rng.chance(0.2)) day = rng.int(0, HISTORY_DAYS - 1); // weekend dip
    let at = this.todayStart - day * DAY + pickHour(rng) * HOUR + rng.next() * HOUR;
    if (at > this.now - 60_000) at -= DAY;
    return at;
  }

  /**
   * One thread: the customer writes, an agent answers, back and forth; public social threads
   * are sometimes taken offline (phone, email, chat) and the loop is closed where they began.
   * Returns how many interactions it planned (those that would lie in the future are dropped).
   */
  private conversation(out: BatchText, customerId: string, firstName: string, identities: readonly Identity[], budget: number): number {
    const rng = this.rng;
    const identity = identities.length > 0 && rng.chance(0.45) ? rng.pick(identities) : undefined;
    const origin = identity ? identity.platform : pickDirectChannel(rng);
    const social = identity !== undefined;
    const category = pickCategory(rng);
    const topic = rng.pick(v.TOPICS);
    const second = rng.chance(0.3) ? rng.pick(v.TOPICS) : topic;
    const topics = second === topic ? `{${topic.tag}}` : `{${topic.tag},${second.tag}}`;
    const lane = category === 'SALES_LEAD' ? 'MARKETING_PR' : topic.lane;
    const product = rng.pick(v.PRODUCTS);
    const isPublicThread = v.PUBLIC_CHANNELS.has(origin) && !(v.CHANNELS_WITH_DMS.has(origin) && rng.chance(0.25));
    // About 70% of brands ignore social complaints; this desk answers most, but not all.
    const answered = rng.chance(social && category === 'COMPLAINT' ? 0.7 : 0.88);
    // An answered thread has at least the message and its reply.
    const planned = Math.min(budget, Math.max(answered ? 2 : 1, pickConversationLength(rng)));
    let length = answered ? planned : Math.min(planned, 2);
    const offline = social && answered && length >= 4 && rng.chance(0.35);
    if (offline) length -= length % 2; // ends with the agent's closing reply on the origin channel
    const offlineChannel = offline ? pickOfflineChannel(rng) : origin;

    const times: number[] = [];
    const channels: string[] = [];
    const outbound: boolean[] = [];
    let at = this.conversationStart();
    for (let i = 0; i < length; i++) {
      const isOutbound = answered && i % 2 === 1;
      const channel = offline && i >= 2 && i < length - 1 ? offlineChannel : origin;
      if (i > 0) {
        at += isOutbound
          ? v.SLA_HOURS[channels[i - 1]] * HOUR * (0.05 + 1.6 * rng.next() ** 2) // most replies beat the SLA
          : 5 * 60_000 * Math.exp(rng.next() * 6.2); // the customer comes back 5 minutes to 2 days later
      }
      if (at > this.now) break; // the rest of the thread has not happened yet
      times.push(at);
      channels.push(channel);
      outbound.push(isOutbound);
    }
    const count = times.length;
    const complete = count === length;
    const resolved = answered && complete && count >= 2 && this.now - times[count - 1] > 2 * HOUR && rng.chance(0.7);
    const lastAt = times[count - 1];
    const conversationId = uuidV7();
    const ids = times.map(() => uuidV7());
    const [minSentiment, maxSentiment] = OPENING_SENTIMENT[category];

    for (let i = 0; i < count; i++) {
      const channel = channels[i];
      const onOrigin = channel === origin;
      const repliedAt = !outbound[i] && i + 1 < count && outbound[i + 1] ? times[i + 1] : undefined;
      let content: string;
      let sentiment: number;
      if (outbound[i]) {
        if (offline && i === 1) content = v.TAKE_OFFLINE_TEXT(firstName);
        else if (offline && i === count - 1 && complete) content = v.CLOSE_LOOP_TEXT(firstName);
        else content = rng.pick(v.OUTBOUND_TEXT[category])(firstName, topic.subject);
        sentiment = rng.between(0.2, 0.7);
      } else if (i === 0) {
        content = rng.pick(v.INBOUND_TEXT[category])(topic.subject, product);
        if (category === 'COMPLAINT') content += ` ${rng.pick(v.COMPLAINT_ENDINGS)}`;
        if (category === 'COMPLIMENT') content += ` Thanks for ${topic.praise}.`;
        if (isPublicThread && rng.chance(0.5)) content += ` #${topic.tag.replace(/-/g, '')}`;
        sentiment = rng.between(minSentiment, maxSentiment);
      } else if (resolved && i === count - 1) {
        content = rng.pick(v.THANKS_TEXT);
        sentiment = rng.between(0.5, 0.9);
      } else {
        content = rng.pick(v.FOLLOW_UP_TEXT);
        sentiment = rng.between(-0.6, 0.1);
      }
      // Replies count as responses themselves; inbound rows are OPEN until answered.
      const status = resolved ? 'RESOLVED' : outbound[i] || repliedAt !== undefined ? 'RESPONDED' : 'OPEN';
      const respondedAt = outbound[i] ? iso(times[i]) : repliedAt !== undefined ? iso(repliedAt) : NULL;
      const slaDueAt = outbound[i] ? NULL : iso(times[i] + v.SLA_HOURS[channel] * HOUR);
      const inReplyTo = outbound[i] ? ids[i - 1] : NULL;
      out.interactions.add(`${ids[i]}\t${customerId}\t${conversationId}\t${onOrigin && identity ? identity.id : NULL}\t${channel}\t` +
        `${outbound[i] ? 'OUTBOUND' : 'INBOUND'}\t${iso(times[i])}\t${content}\t${onOrigin && isPublicThread ? 't' : 'f'}\t` +
        `${category}\t${sentiment.toFixed(2)}\t${topics}\t${lane}\t${topic.skillGroup}\t${status}\t${respondedAt}\t` +
        `${resolved ? iso(lastAt) : NULL}\t${slaDueAt}\t${inReplyTo}\t${iso(times[i] + rng.int(1, 120) * 1000)}\n`);
    }
    out.conversations.add(`${conversationId}\t${customerId}\t${origin}\t${channels[count - 1]}\t{${[...new Set(channels)].join(',')}}\t${iso(times[0])}\t${iso(lastAt)}\n`);
    return length;
  }
}

async function copyInto(client: PoolClient, table: string, columns: string, text: CopyText): Promise<void> {
  if (text.rows === 0) return;
  await pipeline(Readable.from([text.bytes()]), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}

const SEEDED_TABLES = [
  'customers',
  'contact_points',
  'social_identities',
  'consent_events',
  'conversations',
  'interactions',
  'influence_scores',
  'purchases',
];

/**
 * Foreign-key checks run as one internal trigger query per row and per key: they were 60%
 * of PostgreSQL's time (4 keys on interactions). A batch inserts parents before children in
 * its own transaction, so the keys hold by construction (the seed test checks them), and
 * session_replication_role = replica skips those triggers. Only a superuser may set it, and
 * only when the tables have no triggers of their own, which replica mode would skip too.
 */
async function canSkipForeignKeyTriggers(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ allowed: boolean }>(
    `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
        AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY($1::regclass[])) AS allowed`,
    [SEEDED_TABLES],
  );
  return rows[0].allowed;
}

/** Writes one batch in one transaction, parents before children; returns phones actually inserted. */
async function writeBatch(pool: Pool, batch: BatchText, skipForeignKeyTriggers: boolean): Promise<number> {
  const client = await pool.connect();
  let failure: unknown;
  try {
    await client.query('BEGIN');
    // Batches are repeatable: no need to wait for each commit's fsync.
    await client.query('SET LOCAL synchronous_commit = off');
    if (skipForeignKeyTriggers) await client.query('SET LOCAL session_replication_role = replica');
    await copyInto(client, 'customers', COLUMNS.customers, batch.customers);
    await copyInto(client, 'contact_points', COLUMNS.contactPoints, batch.emails);
    // Random phone numbers can collide with earlier runs; skip those rather than fail the batch.
    await client.query('CREATE TEMP TABLE seed_phones (LIKE contact_points) ON COMMIT DROP');
    await copyInto(client, 'seed_phones', COLUMNS.contactPoints, batch.phones);
    const phones = await client.query(
      `INSERT INTO contact_points (${COLUMNS.contactPoints}) SELECT ${COLUMNS.contactPoints} FROM seed_phones ON CONFLICT (kind, value) DO NOTHING`,
    );
    await copyInto(client, 'social_identities', COLUMNS.socialIdentities, batch.socialIdentities);
    await copyInto(client, 'consent_events', COLUMNS.consentEvents, batch.consentEvents);
    await copyInto(client, 'conversations', COLUMNS.conversations, batch.conversations);
    await copyInto(client, 'interactions', COLUMNS.interactions, batch.interactions);
    await copyInto(client, 'influence_scores', COLUMNS.influenceScores, batch.influenceScores);
    await copyInto(client, 'purchases', COLUMNS.purchases, batch.purchases);
    await client.query('COMMIT');
    return phones.rowCount ?? 0;
  } catch (error) {
    failure = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-COPY is not safe to reuse.
    client.release(failure instanceof Error ? failure : undefined);
  }
}

/** The faker instance per locale (faker 9 still ships CommonJS, so jest needs no ESM flags). */
async function loadFakers(): Promise<Record<v.Country['fakerLocale'], Faker>> {
  return { en_US: fakerUS, en_GB: fakerGB, en_CA: fakerCA, de: fakerDE, fr: fakerFR };
}

/**
 * Appends `customers` realistic customers with their contact points, social identities,
 * consent history, conversations (~20 interactions each over the last 90 days) and
 * influence history, streamed with COPY in concurrent batches, one transaction each.
 * Includes three "Chad Schaeffer" namesakes in South Dakota when customers >= 10.
 * Usage: `const result = await seedDatabase(pool, { customers: 1000, seed: 42 })`.
 */
export async function seedDatabase(pool: Pool, options: SeedOptions): Promise<SeedResult> {
  const total = options.customers;
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`customers must be a non-negative integer, got ${total}`);
  const seed = options.seed ?? randomBytes(4).readUInt32LE();
  const runTag = options.runTag ?? randomBytes(8).readBigUInt64LE().toString(36).slice(0, 6).padStart(6, '0');
  if (!/^[a-z0-9]{6}$/.test(runTag)) throw new RangeError('runTag must be 6 characters of [a-z0-9]');
  const batchSize = options.batchSize ?? 1000;
  const concurrency = options.concurrency ?? 2;
  // Loaded up front so a new number never collides; the staging insert covers concurrent seeders.
  const { rows: phoneRows } = await pool.query<{ value: string }>(
    `SELECT value FROM contact_points WHERE kind = 'PHONE' UNION SELECT handle FROM social_identities WHERE platform = 'WHATSAPP'`,
  );
  const usedPhones = new Set(phoneRows.map((row) => row.value));
  const generator = new Generator(seed, await loadFakers(), runTag, total >= 10, usedPhones);
  const skipForeignKeyTriggers = await canSkipForeignKeyTriggers(pool);
  const result: SeedResult = {
    runTag,
    seed,
    customerIds: [],
    customers: 0,
    contactPoints: 0,
    socialIdentities: 0,
    consentEvents: 0,
    conversations: 0,
    interactions: 0,
    influenceScores: 0,
    purchases: 0,
  };

  // Generating is synchronous CPU work; while it runs, the previous batches are ingested by
  // PostgreSQL on other connections, so both cores stay busy.
  const inFlight = new Set<Promise<void>>();
  let firstError: unknown;
  for (let start = 0; start < total && firstError === undefined; start += batchSize) {
    const batch = generator.batch(start, Math.min(batchSize, total - start));
    // Never rejects: the first error stops new batches and is thrown once the others settle.
    const write: Promise<void> = writeBatch(pool, batch, skipForeignKeyTriggers)
      .then((phones) => {
        result.customerIds.push(...batch.customerIds);
        result.customers += batch.customerIds.length;
        result.contactPoints += batch.emails.rows + phones;
        result.socialIdentities += batch.socialIdentities.rows;
        result.consentEvents += batch.consentEvents.rows;
        result.conversations += batch.conversations.rows;
        result.interactions += batch.interactions.rows;
        result.influenceScores += batch.influenceScores.rows;
        result.purchases += batch.purchases.rows;
        options.onProgress?.(result.customers, total);
      })
      .catch((error: unknown) => {
        firstError ??= error;
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (firstError !== undefined) throw firstError;
  // Fresh statistics, so the first queries after a large load get sensible plans.
  if (total >= 5000) await pool.query(`ANALYZE ${SEEDED_TABLES.join(', ')}`);
  return result;
}
