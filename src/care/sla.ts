import { Channel, type Tier } from '../graphql/enums';
import { addBusinessMinutes } from './business-hours';
import type { Interaction } from '../interactions/interaction.types';
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

/**
 * When an inbound interaction must be answered: its time plus the target, counted in the
 * target's business hours. Outbound interactions have no clock (null).
 * Usage: `slaDueAt(rules, { channel: 'TWITTER', tier: 'GOLD', direction: 'INBOUND', occurredAt })`
 */
export function slaDueAt(
  rules: { slaTargets: readonly SlaTarget[]; businessHours: readonly BusinessHours[] },
  item: { channel: Channel; tier: Tier; direction: string; occurredAt: Date },
): Date | null {
  if (item.direction !== 'INBOUND') return null;
  const target = slaTargetFor(rules.slaTargets, item.channel, item.tier);
  if (!target) return null;
  const hours = rules.businessHours.find((h) => h.name === target.businessHours) ?? { timeZone: 'UTC', weekly: null };
  return addBusinessMinutes(item.occurredAt, target.responseMinutes, hours);
}

/** An interaction is past its SLA while it is due, unanswered and not resolved. */
export function isSlaBreached(i: Pick<Interaction, 'slaDueAt' | 'respondedAt' | 'resolvedAt'>, now = new Date()): boolean {
  return i.slaDueAt !== null && i.respondedAt === null && i.resolvedAt === null && i.slaDueAt.getTime() <= now.getTime();
}
