import type { Role } from '../../src/auth/roles';

/** What a matrix entry may use to build valid arguments: rows made for this run. */
export interface MatrixFixtures {
  customerId: string;
  /** A fresh unique string per call, for identifiers and idempotency keys. */
  unique(): string;
  /** A new customer of its own, for operations that change or consume one. */
  newCustomer(): Promise<string>;
  /** A merge of two new customers, made by an admin. */
  newMerge(): Promise<string>;
  /** A social identity of a new customer. */
  newSocialIdentity(): Promise<string>;
}

export interface MatrixEntry {
  /** The roles that may call the operation, written out (no implication): the matrix is the spec. */
  allowed: readonly Role[];
  /** A document that calls only this operation, with the smallest valid selection. */
  document: string;
  variables?: (fx: MatrixFixtures) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

const READERS: Role[] = ['viewer', 'agent', 'supervisor', 'admin'];
const SUPERVISORS: Role[] = ['supervisor', 'admin'];

/**
 * Who may call each root operation, keyed `Query.<field>` / `Mutation.<field>`. Every root field of
 * the live schema must have an entry (role-matrix.test.ts fails otherwise); when an operation is
 * added, add its line here with the roles the issue grants and arguments that pass validation.
 */
export const ROLE_MATRIX: Record<string, MatrixEntry> = {
  'Query.customer': {
    allowed: READERS,
    document: `query($id: ID!) { customer(id: $id) { id } }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Query.lookupCustomer': {
    allowed: READERS,
    document: `query($email: String) { lookupCustomer(email: $email) { id } }`,
    variables: (fx) => ({ email: `${fx.unique()}@example.com` }),
  },
  'Query.customers': {
    allowed: READERS,
    document: `{ customers(first: 1) { edges { cursor } } }`,
  },
  'Query.duplicateCandidates': {
    allowed: READERS,
    document: `query($id: ID!) { duplicateCandidates(customerId: $id) { evidence } }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Mutation.recordTouchpoint': {
    allowed: ['agent', 'supervisor', 'ingest', 'admin'],
    document: `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`,
    variables: (fx) => ({ input: { touchpoint: 'SERVICE_CALL', name: 'Matrix Caller', emails: [`${fx.unique()}@example.com`] } }),
  },
  'Mutation.mergeCustomers': {
    allowed: SUPERVISORS,
    document: `mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`,
    variables: async (fx) => ({ a: await fx.newCustomer(), b: await fx.newCustomer() }),
  },
  'Mutation.undoMerge': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`,
    variables: async (fx) => ({ id: await fx.newMerge() }),
  },
  'Mutation.setConsent': {
    allowed: ['agent', 'supervisor', 'ingest', 'admin'],
    document: `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
    variables: async (fx) => ({ input: { socialIdentityId: await fx.newSocialIdentity(), purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } }),
  },
  'Query.segment': {
    allowed: ['marketing', 'admin'],
    document: `{ segment(filter: { tiers: [PLATINUM] }, first: 1) { edges { cursor } } }`,
  },
  'Query.exportCustomer': {
    allowed: ['admin'],
    document: `query($id: ID!) { exportCustomer(id: $id) }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Mutation.eraseCustomer': {
    allowed: ['admin'],
    document: `mutation($id: ID!) { eraseCustomer(id: $id) }`,
    variables: async (fx) => ({ id: await fx.newCustomer() }),
  },
  'Query.auditLog': {
    allowed: ['admin'],
    document: `{ auditLog(first: 1) { edges { cursor } } }`,
  },
};
