import type { Pool } from 'pg';
import type { Customer } from '../customers';
import type { Role } from '../auth';
import type { ConsentPurpose } from '../graphql';
import { encodeCursor, toConnection, type Connection, type Keyset } from '../graphql';
import { checkPurposeForRoles } from '../auth';
import type { ContactPoint, SocialIdentity } from '../identities';
import { CUSTOMER_STORED } from '../customers';
import type { SegmentFilter } from './segment.inputs';
import { segmentCountSql, segmentPageSql, type SegmentScope } from './segment.sql';
import type { SegmentMember } from './segment.types';

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };
interface MemberRow extends Customer {
  createdAtKey: string;
  identities: Json<Omit<SocialIdentity, 'customerId'>>[] | null;
  emails: Json<Omit<ContactPoint, 'customerId' | 'kind'>>[] | null;
  phones: Json<Omit<ContactPoint, 'customerId' | 'kind'>>[] | null;
}

export interface SegmentPageArgs {
  filter: SegmentFilter;
  purpose: ConsentPurpose;
  first: number;
  after: Keyset | null;
  /** The caller's effective roles: they decide which purposes it may use (auth/purpose-roles.ts). */
  roles: ReadonlySet<Role>;
  /** Only these customers (a saved segment's stored members). */
  scope?: SegmentScope;
}

/** Marketing segments: customers matching a filter, each with only their consented identifiers. */
export class SegmentService {
  constructor(private readonly pool: Pool) {}

  /** One page of members; `totalCount` runs only when asked for. */
  async page(args: SegmentPageArgs): Promise<Connection<SegmentMember>> {
    checkPurposeForRoles(args.roles, args.purpose);
    const { sql, params } = segmentPageSql(args.filter, args.purpose, args.first + 1, args.after, args.scope);
    const { rows } = await this.pool.query<MemberRow>(sql, params);
    const connection = toConnection(rows, args.first, (r) => encodeCursor(r.createdAtKey, r.id), () =>
      this.count(args.filter, args.purpose, args.scope),
    );
    return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: toMember(edge.node) })) };
  }

  async count(filter: SegmentFilter, purpose: ConsentPurpose, scope?: SegmentScope): Promise<number> {
    const { sql, params } = segmentCountSql(filter, purpose, scope);
    const { rows } = await this.pool.query<{ n: number }>(sql, params);
    return rows[0].n;
  }
}

function toMember(row: MemberRow): SegmentMember {
  // The customer loader's own columns (CUSTOMER_COLUMNS), so a member reads every stored field.
  const customer = Object.fromEntries(CUSTOMER_STORED.map(({ field }) => [field, row[field as keyof MemberRow]])) as unknown as Customer;
  const contact = (kind: 'EMAIL' | 'PHONE') => (p: NonNullable<MemberRow['emails']>[number]): ContactPoint => ({
    ...p, capturedAt: new Date(p.capturedAt), customerId: row.id, kind,
  });
  return {
    customer,
    identities: (row.identities ?? []).map((s) => ({ ...s, capturedAt: new Date(s.capturedAt), customerId: row.id })),
    emails: (row.emails ?? []).map(contact('EMAIL')),
    phones: (row.phones ?? []).map(contact('PHONE')),
  };
}
