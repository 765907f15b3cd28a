import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { DomainError, badInput, checkId } from '../../graphql';
import type { Channel, Tier } from '../../graphql';
import { normaliseBrandHandle } from './brand-channel.handle';
import type { BrandChannel, BrandChannelInput, BrandSlaTarget } from './brand-channel.types';

const MAX_SLA_MINUTES = 60 * 24 * 90;

/** Columns of a BrandChannel (table alias b). */
export const BRAND_CHANNEL_COLUMNS = `b.id, b.channel, b.handle, b.name, b.monitored, b.business_hours AS "businessHours",
  b.sla_targets AS "slaTargets", b.created_at AS "createdAt", b.removed_at AS "removedAt"`;

/** What ingestion needs of a brand channel: where it is, whether it is watched, its clock. */
export interface BrandChannelRef {
  id: string;
  channel: Channel;
  handle: string;
  monitored: boolean;
  businessHours: string | null;
  slaTargets: { tier: Tier | null; responseMinutes: number }[];
  removedAt: string | null;
}

/** PostgreSQL error code and constraint of a failed statement, if any. */
function pgError(error: unknown): { code?: string; constraint?: string } {
  return typeof error === 'object' && error !== null ? (error as { code?: string; constraint?: string }) : {};
}

function slaTargets(targets: readonly BrandSlaTarget[]): { tier: Tier | null; responseMinutes: number }[] {
  const tiers = new Set<string>();
  return targets.map((t, i) => {
    if (!Number.isInteger(t.responseMinutes) || t.responseMinutes < 1 || t.responseMinutes > MAX_SLA_MINUTES) {
      throw badInput(`slaTargets[${i}].responseMinutes`, `slaTargets[${i}].responseMinutes must be a whole number from 1 to ${MAX_SLA_MINUTES}`);
    }
    const tier = t.tier ?? null;
    if (tiers.has(String(tier))) throw badInput(`slaTargets[${i}].tier`, `slaTargets[${i}]: a second target for ${tier ?? 'every tier'}`);
    tiers.add(String(tier));
    return { tier, responseMinutes: t.responseMinutes };
  });
}

/**
 * The brand's own channels. A handle is normalised like a customer's, so "@AcmeCare" and
 * "https://twitter.com/acmecare" are one channel, registered once. Removal keeps the row
 * (removed_at): the interactions that reached it keep pointing at it.
 */
export class BrandChannelService {
  constructor(private readonly pool: Pool, private readonly defaultRegion: string) {}

  async list(includeRemoved: boolean): Promise<BrandChannel[]> {
    const { rows } = await this.pool.query<BrandChannel>(
      `SELECT ${BRAND_CHANNEL_COLUMNS} FROM brand_channels b WHERE $1 OR b.removed_at IS NULL ORDER BY b.channel, b.handle, b.created_at`,
      [includeRemoved],
    );
    return rows;
  }

  /** Registers a brand channel, or changes the one named by id. */
  async set(input: BrandChannelInput, by: string): Promise<BrandChannel> {
    const id = input.id == null ? null : checkId(input.id, 'id');
    const handle = normaliseBrandHandle(input.channel, input.handle, this.defaultRegion);
    const name = input.name.trim();
    if (name === '' || name.length > 200) throw badInput('name', 'name must be 1-200 characters');
    const businessHours = input.businessHours == null ? null : input.businessHours.trim();
    const targets = JSON.stringify(slaTargets(input.slaTargets ?? []));
    try {
      if (id === null) {
        const { rows } = await this.pool.query<BrandChannel>(
          `INSERT INTO brand_channels AS b (channel, handle, name, monitored, business_hours, sla_targets, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING ${BRAND_CHANNEL_COLUMNS}`,
          [input.channel, handle, name, input.monitored, businessHours, targets, by],
        );
        return rows[0];
      }
      const { rows } = await this.pool.query<BrandChannel>(
        `UPDATE brand_channels b SET channel = $2, handle = $3, name = $4, monitored = $5, business_hours = $6, sla_targets = $7::jsonb,
                updated_by = $8, updated_at = now()
          WHERE b.id = $1 AND b.removed_at IS NULL RETURNING ${BRAND_CHANNEL_COLUMNS}`,
        [id, input.channel, handle, name, input.monitored, businessHours, targets, by],
      );
      if (rows.length === 0) throw new DomainError('NOT_FOUND', `no brand channel with id ${id} (or it was removed)`, { field: 'id' });
      return rows[0];
    } catch (error) {
      const { code, constraint } = pgError(error);
      if (code === '23505' && constraint === 'brand_channels_live_key') {
        throw new DomainError('CONFLICT', `${input.channel} ${handle} is registered already`, { field: 'handle' });
      }
      if (code === '23503') throw badInput('businessHours', `no business hours named "${businessHours}"`);
      throw error;
    }
  }

  /** Soft delete: the channel stops matching new posts; its interactions keep it. */
  async remove(id: string, by: string): Promise<BrandChannel> {
    const brandId = checkId(id, 'id');
    const { rows } = await this.pool.query<BrandChannel>(
      `UPDATE brand_channels b SET removed_at = now(), removed_by = $2, updated_by = $2, updated_at = now()
        WHERE b.id = $1 AND b.removed_at IS NULL RETURNING ${BRAND_CHANNEL_COLUMNS}`,
      [brandId, by],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `no brand channel with id ${brandId} (or it was removed already)`, { field: 'id' });
    return rows[0];
  }
}

/**
 * The brand channels a batch names, in one statement: by id (removed ones too, so the caller
 * can say so) and by normalised (channel, handle) among the live ones.
 */
export async function loadBrandChannels(
  m: EntityManager, ids: readonly string[], handles: readonly { channel: Channel; handle: string }[],
): Promise<BrandChannelRef[]> {
  if (ids.length === 0 && handles.length === 0) return [];
  return m.query(
    `SELECT b.id, b.channel, b.handle, b.monitored, b.business_hours AS "businessHours", b.sla_targets AS "slaTargets",
            b.removed_at AS "removedAt"
       FROM brand_channels b
      WHERE b.id = ANY($1::uuid[])
         OR (b.removed_at IS NULL AND (b.channel, b.handle) IN (SELECT * FROM unnest($2::text[], $3::text[])))`,
    [ids, handles.map((h) => h.channel), handles.map((h) => h.handle)],
  );
}
