import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/** A short unique suffix so parallel test files never collide on unique identifiers. */
export const unique = () => randomUUID().slice(0, 8);

export interface CustomerSpec {
  displayName?: string;
  tier?: string;
  city?: string | null;
  region?: string | null;
  country?: string | null;
  createdAt?: Date;
  emails?: string[];
  phones?: string[];
  handles?: { platform: string; handle: string; followerCount?: number; externalUserId?: string }[];
  /** Interactions to create, one conversation each; occurredAt defaults to one minute apart, newest last. */
  interactions?: { channel?: string; direction?: string; occurredAt?: Date; content?: string; category?: string; topics?: string[] }[];
  influence?: { score: number; topic?: string | null; platform?: string | null; measuredAt: Date; source?: string }[];
  /**
   * Grants PROFILING now on the customer's first handle (one is made when none is given): its
   * scores then rank it and show to marketing. Without it, stored scores are never used.
   */
  profiling?: boolean;
}

export interface CreatedCustomer {
  id: string;
  interactionIds: string[];
  socialIdentityIds: string[];
}

/**
 * Writes a customer and what belongs to it straight into the database, for read-path tests
 * that must not depend on the write API.
 */
export async function createCustomer(pool: Pool, spec: CustomerSpec = {}): Promise<CreatedCustomer> {
  const id = randomUUID();
  const name = spec.displayName ?? `Test Customer ${unique()}`;
  await pool.query(
    `INSERT INTO customers (id, display_name, name_key, city, region, country, tier, created_at)
     VALUES ($1, $2, lower($2), $3, $4, $5, $6, $7)`,
    [id, name, spec.city ?? null, spec.region ?? null, spec.country ?? 'US', spec.tier ?? 'NONE', spec.createdAt ?? new Date()],
  );
  for (const [kind, values] of [['EMAIL', spec.emails ?? []], ['PHONE', spec.phones ?? []]] as const) {
    for (const value of values) {
      await pool.query(
        `INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by) VALUES ($1, $2, $3, 'IMPORT', 'factory')`,
        [id, kind, value],
      );
    }
  }
  const socialIdentityIds: string[] = [];
  for (const h of spec.handles ?? []) {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO social_identities (customer_id, platform, handle, external_user_id, follower_count, captured_via, captured_by)
       VALUES ($1, $2, $3, $4, $5, 'IMPORT', 'factory') RETURNING id`,
      [id, h.platform, h.handle, h.externalUserId ?? null, h.followerCount ?? null],
    );
    socialIdentityIds.push(rows[0].id);
  }
  const interactionIds: string[] = [];
  const base = Date.now() - (spec.interactions?.length ?? 0) * 60_000;
  for (const [n, spec_i] of (spec.interactions ?? []).entries()) {
    const occurredAt = spec_i.occurredAt ?? new Date(base + n * 60_000);
    const channel = spec_i.channel ?? 'EMAIL';
    const { rows: conv } = await pool.query<{ id: string }>(
      `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, $2, $2, ARRAY[$2], $3, $3) RETURNING id`,
      [id, channel, occurredAt],
    );
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, topics)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [id, conv[0].id, channel, spec_i.direction ?? 'INBOUND', occurredAt, spec_i.content ?? `message ${n}`, spec_i.category ?? 'QUESTION', spec_i.topics ?? []],
    );
    interactionIds.push(rows[0].id);
  }
  if (spec.profiling) {
    if (socialIdentityIds.length === 0) {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO social_identities (customer_id, platform, handle, captured_via, captured_by)
         VALUES ($1, 'TWITTER', $2, 'IMPORT', 'factory') RETURNING id`,
        [id, `profiling${unique()}`],
      );
      socialIdentityIds.push(rows[0].id);
    }
    await pool.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by)
       VALUES ($1, $2, 'PROFILING', 'GRANTED', 'IMPORT', 'factory')`,
      [id, socialIdentityIds[0]],
    );
  }
  for (const s of spec.influence ?? []) {
    await pool.query(
      `INSERT INTO influence_scores (customer_id, score, topic, platform, source, measured_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, s.score, s.topic ?? null, s.platform ?? null, s.source ?? 'factory', s.measuredAt],
    );
  }
  return { id, interactionIds, socialIdentityIds };
}

let localCounter = Math.floor(Math.random() * 500_000);
/**
 * Seven digits (exchange + line) no other test of this run uses: the first digit comes from
 * the jest worker, the rest from a per-process counter. Random numbers collided across files.
 * Usage: `+1313${uniqueLocalDigits()}`
 */
export function uniqueLocalDigits(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1);
  localCounter = (localCounter + 1) % 1_000_000;
  return `${2 + (worker % 8)}${String(localCounter).padStart(6, '0')}`;
}
