import { randomUUID, hash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { isUuid, keyProblem, withRetry } from '../db';
import { EventType, appendEvents, type EventSink } from '../events';
import { badInput, Channel, firstOfEachKey, itemErrors, type ItemError } from '../graphql';
import { resolveCustomers, itemIdentifiers } from '../identities';
import type { NormalisedIdentifiers } from '../identities';
import { PURCHASE_COLUMNS } from './purchase.sql';
import type { Purchase, PurchaseInput } from './purchase.types';

/** Most purchases one call may carry. */
const MAX_PURCHASES = 1000;
/** Clocks drift: a purchasedAt this far ahead is still accepted. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Largest amount numeric(18, 4) holds with room to sum a customer's purchases. */
const MAX_AMOUNT = 1e12;

/**
 * Another call committed one of our keys between our key check and our insert (the insert waited
 * on the unique index, then failed): roll back and run again, which answers from its rows. Cheaper
 * than ON CONFLICT DO NOTHING on every row for a race that is rare.
 */
const isKeyRace = (error: unknown): boolean => {
  const { code, constraint } = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'purchases_idempotency_key_key';
};

/** An input that passed the checks that need no database. */
interface PreparedPurchase {
  index: number;
  key: string;
  hash: string;
  customerId: string | null;
  ids: NormalisedIdentifiers;
  /** What customer resolution reads: the channel (its touchpoint) and the name of a new customer. */
  input: { channel: Channel; displayName?: string | null };
  product: string;
  category: string | null;
  amount: number | null;
  currency: string | null;
  purchasedAt: Date;
  /** purchasedAt as toISOString wrote it, once: the row, its event and (when given) the hash use it. */
  at: string;
  channel: Channel | null;
}

const bad = (index: number, field: string, message: string): ItemError => ({ index, field, message });

/**
 * sha256 of the item's fields in one fixed order (absent and null alike, the time as ISO), without
 * its key: tells a retry from a conflicting reuse of the key. Stored with each row and compared on
 * every retry, so the form must never change. Cheaper than the generic canonical JSON of
 * src/db/idempotency.ts, which sorts keys per object (a tenth of a bulk call's time in Node).
 */
function purchaseHash(input: PurchaseInput, purchasedAt: string | undefined): string {
  // JSON.stringify writes an undefined array element as null: absent and null hash alike.
  const fields = [
    input.customerId, input.email, input.phone, input.platform, input.handle, input.externalUserId, input.displayName,
    input.product, input.category, input.amount, input.currency, purchasedAt, input.channel,
  ];
  return hash('sha256', JSON.stringify(fields), 'hex');
}

/** Checks one input without the database: the prepared purchase or the first problem. */
function prepare(input: PurchaseInput, index: number, region: string, now: Date): PreparedPurchase | ItemError {
  const keyError = keyProblem(input.idempotencyKey);
  if (keyError) return bad(index, 'idempotencyKey', keyError);
  if (input.customerId != null && !isUuid(input.customerId)) return bad(index, 'customerId', `customerId "${input.customerId}" is not a customer id`);
  const product = input.product.trim();
  if (product === '' || product.length > 200) return bad(index, 'product', 'product must be 1-200 characters');
  const category = input.category?.trim() ?? null;
  if (category !== null && (category === '' || category.length > 100)) return bad(index, 'category', 'category must be 1-100 characters');
  const { amount } = input;
  if (amount != null && !(Number.isFinite(amount) && amount >= 0 && amount <= MAX_AMOUNT)) return bad(index, 'amount', `amount must be between 0 and ${MAX_AMOUNT}`);
  if (amount != null && Math.abs(amount * 1e4 - Math.round(amount * 1e4)) > 1e-6 * Math.max(1, amount)) return bad(index, 'amount', 'amount has at most 4 decimals');
  const currency = input.currency?.trim().toUpperCase() ?? null;
  if (currency !== null && !/^[A-Z]{3}$/.test(currency)) return bad(index, 'currency', 'currency must be an ISO 4217 code of three letters');
  if ((amount == null) !== (currency === null)) return bad(index, amount == null ? 'amount' : 'currency', 'amount and currency go together');
  const purchasedAt = input.purchasedAt ?? now;
  if (!(purchasedAt instanceof Date) || Number.isNaN(purchasedAt.getTime())) return bad(index, 'purchasedAt', 'purchasedAt is not a date');
  if (purchasedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return bad(index, 'purchasedAt', 'purchasedAt must not be in the future');
  if (input.displayName != null && (input.displayName.trim() === '' || input.displayName.length > 200)) {
    return bad(index, 'displayName', 'displayName must be 1-200 characters');
  }
  const ids = itemIdentifiers(input, region);
  if ('message' in ids) return bad(index, ids.field, ids.message);
  const at = purchasedAt.toISOString();
  return {
    index, key: input.idempotencyKey, hash: purchaseHash(input, input.purchasedAt != null ? at : undefined), customerId: input.customerId ?? null, ids,
    // A purchase on no stated channel is captured at the OTHER touchpoint, like an email or a letter.
    input: { channel: input.channel ?? Channel.OTHER, displayName: input.displayName },
    product, category, amount: amount ?? null, currency, purchasedAt, at, channel: input.channel ?? null,
  };
}

const isError = (x: PreparedPurchase | ItemError): x is ItemError => 'message' in x;
const refuse = (code: 'BAD_USER_INPUT' | 'CONFLICT', errors: ItemError[]) => itemErrors(code, errors.sort((a, b) => a.index - b.index), true, 'purchases');

/**
 * Records purchases in bulk, all or nothing, idempotently per item key: validates every item,
 * finds (or creates) each customer set-based like interaction ingestion, and inserts the batch
 * with one statement; a retry answers the rows of the first call and writes nothing.
 */
export class PurchaseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly defaultRegion: string,
  ) {}

  /** Usage: `await purchases.record([{ idempotencyKey: 'k1', email: 'a@b.com', product: 'Boots', amount: 90, currency: 'EUR' }], 'job')` */
  async record(inputs: PurchaseInput[], recordedBy: string): Promise<Purchase[]> {
    if (inputs.length > MAX_PURCHASES) throw badInput('inputs', `at most ${MAX_PURCHASES} purchases per call, got ${inputs.length}`);
    if (inputs.length === 0) return [];
    const now = new Date();
    const prepared = inputs.map((input, i) => prepare(input, i, this.defaultRegion, now));
    const invalid = prepared.filter(isError);
    if (invalid.length > 0) throw refuse('BAD_USER_INPUT', invalid);
    const items = prepared as PreparedPurchase[];

    // The same key twice in one call: one purchase, unless the contents differ.
    const { firstOfKey, conflicts } = firstOfEachKey(items);
    if (conflicts.length > 0) throw refuse('CONFLICT', conflicts);

    const byKey = await withRetry(
      () => this.dataSource.transaction((m) => this.write(m, [...firstOfKey.values()], recordedBy)),
      { retryIf: isKeyRace },
    );
    return items.map((item) => byKey.get(item.key)!);
  }

  private async write(m: EntityManager, items: PreparedPurchase[], by: string): Promise<Map<string, Purchase>> {
    const existing: (Purchase & { key: string; hash: string })[] = await m.query(
      `SELECT ${PURCHASE_COLUMNS}, p.idempotency_key AS key, p.content_hash AS hash FROM purchases p WHERE p.idempotency_key = ANY($1::text[])`,
      [items.map((i) => i.key)],
    );
    const byKey = new Map<string, Purchase>();
    for (const { key, hash, ...purchase } of existing) byKey.set(key, purchase);
    const done = new Map(existing.map((e) => [e.key, e.hash]));
    const reused = items.filter((i) => done.has(i.key) && done.get(i.key) !== i.hash);
    if (reused.length > 0) {
      throw refuse('CONFLICT', reused.map((i) => bad(i.index, 'idempotencyKey', `idempotencyKey "${i.key}" was used before with other content`)));
    }
    const fresh = items.filter((i) => !done.has(i.key));
    if (fresh.length === 0) return byKey;

    const events: EventSink = [];
    const { resolved, errors, conflicts } = await resolveCustomers(m, fresh, by, { events });
    if (errors.length > 0) throw refuse('BAD_USER_INPUT', errors);
    if (conflicts.length > 0) throw refuse('CONFLICT', conflicts);
    const rows: Purchase[] = fresh.map((i) => ({
      id: randomUUID(), customerId: resolved.get(i.index)!.customerId, product: i.product, category: i.category, amount: i.amount,
      currency: i.currency, purchasedAt: i.purchasedAt, channel: i.channel,
    }));
    // Customers and identities created for new identifiers come first in the outbox.
    await appendEvents(m, events);
    // One statement whatever the batch size: the rows travel as one jsonb array of positional
    // arrays, and their PURCHASE_RECORDED events (the outbox rows of src/events/outbox.ts, keys
    // as EventPayloads declares them) are built from the same elements, in input order: the JSON
    // values are copied as they came (the time is the ISO string toISOString wrote, the amount the
    // number validated above), so no value is parsed, cast and formatted back per row.
    await m.query(
      `WITH r AS MATERIALIZED (SELECT e, n FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n)),
       ins AS (
         INSERT INTO purchases (id, customer_id, product, category, amount, currency, purchased_at, channel, idempotency_key, content_hash, created_by)
         SELECT (e->>0)::uuid, (e->>1)::uuid, e->>2, e->>3, (e->>4)::numeric, e->>5, (e->>6)::timestamptz, e->>7, e->>8, e->>9, $2 FROM r)
       INSERT INTO outbox_events (type, customer_id, data)
       SELECT '${EventType.PURCHASE_RECORDED}', (e->>1)::uuid, jsonb_build_object('purchaseId', e->0, 'customerId', e->1,
              'product', e->2, 'category', e->3, 'amount', e->4, 'currency', e->5, 'purchasedAt', e->6, 'channel', e->7)
         FROM r ORDER BY n`,
      [JSON.stringify(rows.map((r, n) => [
        r.id, r.customerId, r.product, r.category, r.amount, r.currency, fresh[n].at, r.channel, fresh[n].key, fresh[n].hash,
      ])), by],
    );
    rows.forEach((r, n) => byKey.set(fresh[n].key, r));
    return byKey;
  }
}
