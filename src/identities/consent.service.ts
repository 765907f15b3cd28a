import type { DataSource } from 'typeorm';
import { checkId } from '../graphql';
import { DomainError, badInput } from '../graphql';
import { ConsentStatus } from '../graphql';
import { appendConsentEvents } from './consent-ledger';
import type { SetConsentInput } from './consent.inputs';
import type { Consent } from './identity.types';
import { recordAudit } from '../audit';
import { keyClaim, once } from '../graphql';

const MAX_WORDING_VERSION = 100;

/** A stored answer (JSON) as the Consent it was. */
function reviveConsent(stored: unknown): Consent {
  const c = stored as Consent & { recordedAt: string; expiresAt: string | null };
  return { ...c, recordedAt: new Date(c.recordedAt), expiresAt: c.expiresAt === null ? null : new Date(c.expiresAt) };
}

const MAX_WORDING = 4000;
const DECISIONS: readonly string[] = [ConsentStatus.GRANTED, ConsentStatus.DENIED, ConsentStatus.REVOKED];

/** Consent decisions: validated, then appended to the ledger (never updated in place). */
export class ConsentService {
  constructor(private readonly dataSource: DataSource) {}

  /** Records one decision by `recordedBy` and answers the identity's new state for that purpose. */
  async setConsent(input: SetConsentInput, recordedBy: string, now = new Date()): Promise<Consent> {
    const { column, identityId } = checkInput(input, now);
    const claim = keyClaim(input.idempotencyKey, input, 'input.idempotencyKey');
    return this.dataSource.transaction((m) => once(m, 'setConsent', claim, async () => {
      const table = column === 'social_identity_id' ? 'social_identities' : 'contact_points';
      // FOR SHARE: a concurrent merge that moves the identity waits for this decision, so the
      // event carries the customer that owns the identity when it is written.
      const rows: { customerId: string; erasedAt: Date | null }[] = await m.query(
        `SELECT i.customer_id AS "customerId", c.erased_at AS "erasedAt"
           FROM ${table} i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1 FOR SHARE OF i`,
        [identityId],
      );
      if (!rows[0]) {
        throw new DomainError('NOT_FOUND', `no identity with id ${identityId}`, { field: `input.${camel(column)}` });
      }
      if (rows[0].erasedAt) throw new DomainError('CONFLICT', 'the customer who owned this identity was erased');
      const status = input.status as 'GRANTED' | 'DENIED' | 'REVOKED';
      const recordedAt = await appendConsentEvents(m, [{
        customerId: rows[0].customerId,
        socialIdentityId: column === 'social_identity_id' ? identityId : null,
        contactPointId: column === 'contact_point_id' ? identityId : null,
        purpose: input.purpose,
        status,
        source: input.source,
        recordedBy,
        wording: input.wording ?? null,
        wordingVersion: input.wordingVersion?.trim() || null,
        expiresAt: input.expiresAt ?? null,
      }]);
      await recordAudit(m, {
        actor: recordedBy,
        action: 'CONSENT_CHANGED',
        subject: rows[0].customerId,
        details: { [camel(column)]: identityId, purpose: input.purpose, status, source: input.source, wordingVersion: input.wordingVersion?.trim() || null },
      });
      return { purpose: input.purpose, status: input.status, recordedAt, source: input.source, expiresAt: input.expiresAt ?? null };
    }, reviveConsent));
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
