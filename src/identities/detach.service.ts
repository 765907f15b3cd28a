import type { DataSource } from 'typeorm';
import type { Viewer } from '../auth';
import { recordAudit } from '../audit';
import { checkCustomerId } from '../customers';
import { EventType, appendEvents } from '../events';
import { DomainError, badInput, keyClaim, once } from '../graphql';
import type { Platform } from '../graphql';
import { rewriteLedger } from './consent-ledger';
import { lockIdentifiers, type NormalisedIdentifiers } from './identity-linker';
import type { IdentifierKind } from './identity-rules';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';

export interface DetachInput {
  customerId: string;
  kind: IdentifierKind;
  value: string;
  platform?: Platform | null;
  region?: string | null;
  idempotencyKey?: string | null;
}

/**
 * detachIdentifier: one email, phone or handle given to the wrong customer leaves it for a new
 * customer of its own, with its consent history; everything else (interactions, touchpoint
 * events, other identifiers) stays. A later merge of the two brings it back like any other row.
 */
export class DetachService {
  constructor(private readonly dataSource: DataSource, private readonly defaultPhoneRegion: string) {}

  /**
   * Answers the new customer's id. Under the identifier's advisory lock (as linking takes it)
   * and the customer's row lock (as a merge takes it), so a concurrent merge of the same
   * customer either runs first (then this is CONFLICT: the customer was merged) or waits and
   * moves what is left. The last identifier of a customer is not detached (CONFLICT): the
   * customer would be left with nothing to find or link it by. With an idempotencyKey, a retry
   * answers the first call's new customer; without one, it is NOT_FOUND (the identifier has left).
   */
  async detach(input: DetachInput, viewer: Viewer): Promise<string> {
    checkCustomerId(input.customerId, 'input.customerId');
    if (input.kind !== 'HANDLE' && input.platform != null) throw badInput('input.platform', 'platform goes with kind HANDLE only');
    const region = input.region?.trim() || this.defaultPhoneRegion;
    const ids: NormalisedIdentifiers = { emails: [], phones: [], handles: [] };
    let value: string;
    if (input.kind === 'EMAIL') ids.emails.push(value = normaliseEmail(input.value, 'input.value'));
    else if (input.kind === 'PHONE') ids.phones.push(value = normalisePhone(input.value, region, 'input.value'));
    else {
      if (!input.platform) throw badInput('input.platform', 'platform is required with kind HANDLE');
      value = normaliseHandle(input.platform, input.value, region, 'input.value').handle;
      ids.handles.push({ platform: input.platform, handle: value, externalUserId: null, profileUrl: null, followerCount: null, verified: false });
    }
    const claim = keyClaim(input.idempotencyKey, input, 'input.idempotencyKey');
    return this.dataSource.transaction((m) => once(m, 'detachIdentifier', claim, async () => {
      await lockIdentifiers(m, ids);
      const [customer]: { merged_into: string | null; erased_at: Date | null }[] = await m.query(
        `SELECT merged_into, erased_at FROM customers WHERE id = $1 FOR UPDATE`, [input.customerId]);
      if (!customer) throw new DomainError('NOT_FOUND', `customer ${input.customerId} does not exist`, { field: 'input.customerId' });
      if (customer.merged_into) {
        throw new DomainError('CONFLICT', `customer ${input.customerId} was merged into ${customer.merged_into}: detach from that customer`, {
          field: 'input.customerId', mergedInto: customer.merged_into,
        });
      }
      if (customer.erased_at) throw new DomainError('CONFLICT', `customer ${input.customerId} was erased`, { field: 'input.customerId' });
      const social = input.kind === 'HANDLE';
      const [row]: { id: string; identifiers: number }[] = await m.query(
        social
          ? `SELECT id, (SELECT count(*) FROM social_identities WHERE customer_id = $1) + (SELECT count(*) FROM contact_points WHERE customer_id = $1) AS identifiers
               FROM social_identities WHERE customer_id = $1 AND platform = $2 AND handle = $3 FOR UPDATE`
          : `SELECT id, (SELECT count(*) FROM social_identities WHERE customer_id = $1) + (SELECT count(*) FROM contact_points WHERE customer_id = $1) AS identifiers
               FROM contact_points WHERE customer_id = $1 AND kind = $2 AND value = $3 FOR UPDATE`,
        [input.customerId, social ? input.platform : input.kind, value],
      );
      if (!row) throw new DomainError('NOT_FOUND', `customer ${input.customerId} holds no ${input.kind.toLowerCase()} "${value}"`, { field: 'input.value' });
      if (Number(row.identifiers) <= 1) {
        throw new DomainError('CONFLICT', `"${value}" is the only identifier of customer ${input.customerId}: nothing would be left to find it by`, { field: 'input.value' });
      }
      const [created]: { id: string }[] = await m.query(
        `INSERT INTO customers (display_name, name_key) VALUES ($1, '') RETURNING id`, [social ? `@${value}` : value]);
      const table = social ? 'social_identities' : 'contact_points';
      await m.query(`UPDATE ${table} SET customer_id = $1 WHERE id = $2`, [created.id, row.id]);
      const [, consentEvents] = await rewriteLedger(
        m, 'merge', `UPDATE consent_events SET customer_id = $1 WHERE customer_id = $2 AND ${social ? 'social_identity_id' : 'contact_point_id'} = $3`,
        [created.id, input.customerId, row.id], { actor: viewer, subject: input.customerId, details: { detachedTo: created.id } },
      );
      const moved = { contactPointId: social ? null : row.id, socialIdentityId: social ? row.id : null };
      await recordAudit(m, {
        actor: viewer, action: 'IDENTIFIER_DETACHED', subject: input.customerId, details: { customerId: created.id, ...moved, consentEvents },
      });
      await appendEvents(m, [
        { type: EventType.CUSTOMER_CREATED, customerId: created.id, data: { customerId: created.id } },
        {
          type: EventType.IDENTIFIER_DETACHED, customerId: created.id,
          data: { customerId: created.id, fromCustomerId: input.customerId, kind: input.kind, ...moved, consentEvents },
        },
      ]);
      return created.id;
    }, (stored) => stored as string));
  }
}
