import type { Role } from '../../src/auth/roles';

/** What a matrix entry may use to build valid arguments: rows made for this run. */
export interface MatrixFixtures {
  customerId: string;
  /** A fresh unique string per call, for identifiers and idempotency keys. */
  unique(): string;
}

export interface MatrixEntry {
  /** The roles that may call the operation, written out (no implication): the matrix is the spec. */
  allowed: readonly Role[];
  /** A document that calls only this operation, with the smallest valid selection. */
  document: string;
  variables?: (fx: MatrixFixtures) => Record<string, unknown>;
}

const READERS: Role[] = ['viewer', 'agent', 'supervisor', 'admin'];

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
  'Query.auditLog': {
    allowed: ['admin'],
    document: `{ auditLog(first: 1) { edges { cursor } } }`,
  },
};
