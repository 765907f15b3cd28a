import type { DataSource, EntityManager } from 'typeorm';
import { checkId, DomainError, badInput, ConsentStatus, keyClaim, once, type KeyClaim } from '../graphql';
import { appendConsentEvents } from './consent-ledger';
import type { SetConsentInput } from './consent.inputs';
import type { Consent } from './identity.types';
import { Coalescer, ItemsRefused, currentRequestId } from '../common';
import { recordAudits } from '../audit';

const MAX_WORDING_VERSION = 100;

/** A stored answer (JSON) as the Consent it was. */
function reviveConsent(stored: unknown): Consent {
  const c = stored as Consent & { recordedAt: string; expiresAt: string | null };
  return { ...c, recordedAt: new Date(c.recordedAt), expiresAt: c.expiresAt === null ? null : new Date(c.expiresAt) };
}

const MAX_WORDING = 4000;
const DECISIONS: readonly string[] = [ConsentStatus.GRANTED, ConsentStatus.DENIED, ConsentStatus.REVOKED];

/** One setConsent call, checked: its input, identity, key, caller and request (audit entries name each caller's own). */
interface ConsentCall {
  input: SetConsentInput;
  column: 'social_identity_id' | 'contact_point_id';
  identityId: string;
  claim: KeyClaim | null;
  by: string;
  requestId?: string;
}

/**
 * Consent decisions: validated, then appended to the ledger (never updated in place).
 * Concurrent calls are written together (src/common/coalescer.ts): one transaction, one
 * statement per table for their identities, the ledger, the outbox and the audit; each caller
 * keeps its own answer or error.
 */
export class ConsentService {
  /** setConsent's waiting calls (one per app). */
  private readonly calls: Coalescer<ConsentCall, Consent>;

  constructor(private readonly dataSource: DataSource) {
    this.calls = new Coalescer({
      check: () => null,
      one: (call) => this.dataSource.transaction((m) => once(m, 'setConsent', call.claim, async () => {
        const written = await this.write(m, [call]);
        if (written instanceof ItemsRefused) throw written.errors.get(0)!;
        return written[0];
      }, reviveConsent)),
      many: (calls) => this.writeMany(calls),
    });
  }

  /** Records one decision by `recordedBy` and answers the identity's new state for that purpose. */
  async setConsent(input: SetConsentInput, recordedBy: string, now = new Date()): Promise<Consent> {
    const { column, identityId } = checkInput(input, now);
    const claim = keyClaim(input.idempotencyKey, input, 'input.idempotencyKey');
    return this.calls.record({ input, column, identityId, claim, by: recordedBy, requestId: currentRequestId() });
  }

  /**
   * Several callers' decisions in one transaction. A call with an idempotency key, or a second
   * decision on an identity in the batch, goes alone (the coalescer writes each call by itself
   * on any error but ItemsRefused): the ledger's order per identity is the order of commits.
   */
  private async writeMany(calls: ConsentCall[]): Promise<Consent[]> {
    const identities = new Set(calls.map((c) => c.identityId));
    if (calls.some((c) => c.claim !== null) || identities.size < calls.length) throw new Error('written one by one');
    return this.dataSource.transaction(async (m) => {
      const written = await this.write(m, calls);
      if (written instanceof ItemsRefused) throw written;
      return written;
    });
  }

  /** The calls' decisions, set-based, in the caller's transaction; the calls it refuses (nothing written then). */
  private async write(m: EntityManager, calls: ConsentCall[]): Promise<Consent[] | ItemsRefused> {
    // FOR SHARE: a concurrent merge that moves the identity waits for this decision, so the
    // event carries the customer that owns the identity when it is written. In id order: concurrent batches lock alike.
    const owners = new Map<string, { customerId: string; erasedAt: Date | null }>();
    for (const table of ['social_identities', 'contact_points'] as const) {
      const ids = calls.filter((c) => (c.column === 'social_identity_id') === (table === 'social_identities')).map((c) => c.identityId);
      if (ids.length === 0) continue;
      const rows: { id: string; customerId: string; erasedAt: Date | null }[] = await m.query(
        `SELECT i.id, i.customer_id AS "customerId", c.erased_at AS "erasedAt"
           FROM ${table} i JOIN customers c ON c.id = i.customer_id WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR SHARE OF i`,
        [ids],
      );
      for (const r of rows) owners.set(r.id, r);
    }
    const refused = new Map<number, Error>();
    for (const [n, call] of calls.entries()) {
      const owner = owners.get(call.identityId);
      if (!owner) refused.set(n, new DomainError('NOT_FOUND', `no identity with id ${call.identityId}`, { field: `input.${camel(call.column)}` }));
      else if (owner.erasedAt) refused.set(n, new DomainError('CONFLICT', 'the customer who owned this identity was erased'));
    }
    if (refused.size > 0) return new ItemsRefused(refused);
    const recordedAt = await appendConsentEvents(m, calls.map(({ input, column, identityId, by }) => ({
      customerId: owners.get(identityId)!.customerId,
      socialIdentityId: column === 'social_identity_id' ? identityId : null,
      contactPointId: column === 'contact_point_id' ? identityId : null,
      purpose: input.purpose,
      status: input.status as 'GRANTED' | 'DENIED' | 'REVOKED',
      source: input.source,
      recordedBy: by,
      wording: input.wording ?? null,
      wordingVersion: input.wordingVersion?.trim() || null,
      expiresAt: input.expiresAt ?? null,
    })));
    await recordAudits(m, calls.map(({ input, column, identityId, by, requestId }) => ({
      actor: by,
      action: 'CONSENT_CHANGED' as const,
      subject: owners.get(identityId)!.customerId,
      requestId,
      details: { [camel(column)]: identityId, purpose: input.purpose, status: input.status, source: input.source, wordingVersion: input.wordingVersion?.trim() || null },
    })));
    return calls.map(({ input }) => ({ purpose: input.purpose, status: input.status, recordedAt, source: input.source, expiresAt: input.expiresAt ?? null }));
  }
}

function checkInput(input: SetConsentInput, now: Date): { column: 'social_identity_id' | 'contact_point_id'; identityId: string } {
  const social = input.socialIdentityId ?? null;
  const contact = input.contactPointId ?? null;
  if ((social === null) === (contact === null)) {
    throw badInput('input.socialIdentityId', 'give exactly one of socialIdentityId and contactPointId');
  }
  const field = social !== null ? 'input.socialIdentityId' : 'input.contactPointId';
  const identityId = (social ?? contact)!;
  checkId(identityId, field, 'an identity id');
  if (!DECISIONS.includes(input.status)) {
    throw badInput('input.status', `status must be GRANTED, DENIED or REVOKED; ${input.status} is derived, not recorded`);
  }
  if (input.expiresAt) {
    if (input.status !== ConsentStatus.GRANTED) throw badInput('input.expiresAt', 'only a grant can have an expiry');
    if (input.expiresAt.getTime() <= now.getTime()) throw badInput('input.expiresAt', 'expiresAt must be in the future');
  }
  if (input.wording != null && input.wording.length > MAX_WORDING) {
    throw badInput('input.wording', `wording must be at most ${MAX_WORDING} characters`);
  }
  if (input.wordingVersion != null && input.wordingVersion.trim().length > MAX_WORDING_VERSION) {
    throw badInput('input.wordingVersion', `wordingVersion must be at most ${MAX_WORDING_VERSION} characters`);
  }
  return { column: social !== null ? 'social_identity_id' : 'contact_point_id', identityId };
}

function camel(column: string): string {
  return column === 'social_identity_id' ? 'socialIdentityId' : 'contactPointId';
}
