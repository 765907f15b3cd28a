import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every delivery (docs/live-and-webhooks.md shows how a receiver verifies them). */
export const SIGNATURE_HEADER = 'x-crm-signature';
export const TIMESTAMP_HEADER = 'x-crm-timestamp';
export const EVENT_ID_HEADER = 'x-crm-event-id';
export const EVENT_TYPE_HEADER = 'x-crm-event-type';
export const WEBHOOK_ID_HEADER = 'x-crm-webhook-id';
export const DELIVERY_ID_HEADER = 'x-crm-delivery-id';

/** Receivers should refuse a signature older than this (replays). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, like Stripe's and GitHub's schemes. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the HMAC over the raw body, compare in constant time, and
 * refuse old timestamps. Returns false for any mismatch.
 */
export function verify(secret: string, body: string, timestampHeader: string | undefined, signatureHeader: string | undefined,
  now = Date.now(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || !signatureHeader) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  return signatureHeader.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
