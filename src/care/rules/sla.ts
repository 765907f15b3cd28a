import { Channel, type Tier } from '../../graphql';
import { addBusinessMinutes } from './business-hours';
import type { Interaction } from '../../interactions';
import type { BusinessHours, SlaTarget } from './care-rules';

/**
 * The response-time target for a channel and tier: the tier's own row, else the channel's
 * row for every tier, else the OTHER channel's row; null when there is none.
 */
export function slaTargetFor(targets: readonly SlaTarget[], channel: Channel, tier: Tier): SlaTarget | null {
  return (
    targets.find((t) => t.channel === channel && t.tier === tier) ??
    targets.find((t) => t.channel === channel && t.tier === null) ??
    targets.find((t) => t.channel === Channel.OTHER && t.tier === null) ??
    null
  );
}

/** A brand channel's own clock: its calendar and targets override the channel's (either may be absent). */
export interface BrandClock {
  businessHours: string | null;
  slaTargets: readonly { tier: Tier | null; responseMinutes: number }[];
}

/**
 * When an inbound interaction must be answered: its time plus the target, counted in the
 * target's business hours. With the brand channel it reached, that channel's target for the
 * tier (or for every tier) and its calendar come first. Outbound interactions have no clock (null).
 * Usage: `slaDueAt(rules, { channel: 'TWITTER', tier: 'GOLD', direction: 'INBOUND', occurredAt }, brand)`
 */
export function slaDueAt(
  rules: { slaTargets: readonly SlaTarget[]; businessHours: readonly BusinessHours[] },
  item: { channel: Channel; tier: Tier; direction: string; occurredAt: Date },
  brand: BrandClock | null = null,
): Date | null {
  if (item.direction !== 'INBOUND') return null;
  const channelTarget = slaTargetFor(rules.slaTargets, item.channel, item.tier);
  const own = brand?.slaTargets.find((t) => t.tier === item.tier) ?? brand?.slaTargets.find((t) => t.tier == null);
  const minutes = own?.responseMinutes ?? channelTarget?.responseMinutes;
  if (minutes === undefined) return null;
  const calendar = brand?.businessHours ?? channelTarget?.businessHours;
  const hours = rules.businessHours.find((h) => h.name === calendar) ?? { timeZone: 'UTC', weekly: null };
  return addBusinessMinutes(item.occurredAt, minutes, hours);
}

/** An interaction is past its SLA while it is due, unanswered and not resolved. */
export function isSlaBreached(i: Pick<Interaction, 'slaDueAt' | 'respondedAt' | 'resolvedAt'>, now = new Date()): boolean {
  return i.slaDueAt !== null && i.respondedAt === null && i.resolvedAt === null && i.slaDueAt.getTime() <= now.getTime();
}
