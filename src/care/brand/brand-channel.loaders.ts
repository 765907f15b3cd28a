import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { oneByKey } from '../../db';
import { BRAND_CHANNEL_COLUMNS } from './brand-channel.service';
import type { BrandChannel } from './brand-channel.types';

/** Per-request loaders of the brand side. */
export function createBrandChannelLoaders(pool: Pool) {
  return {
    /** Removed channels too: an interaction keeps the channel it reached. */
    brandChannelById: new DataLoader<string, BrandChannel | null>(async (ids) => {
      const { rows } = await pool.query<BrandChannel>(`SELECT ${BRAND_CHANNEL_COLUMNS} FROM brand_channels b WHERE b.id = ANY($1::uuid[])`, [ids]);
      return oneByKey(ids, rows, (r) => r.id);
    }),
  };
}
