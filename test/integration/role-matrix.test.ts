import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../src/auth/roles';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';
import { ROLE_MATRIX, type MatrixFixtures } from './role-matrix';

let app: TestApp;
let fixtures: MatrixFixtures;
let operations: string[];

beforeAll(async () => {
  app = await startTestApp();
  const newCustomer = async () => (await createCustomer(app.pool)).id;
  fixtures = {
    customerId: await newCustomer(),
    unique: () => randomUUID().slice(0, 12),
    newCustomer,
    async newSocialIdentity() {
      return (await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `matrix${randomUUID().slice(0, 8)}` }] })).socialIdentityIds[0];
    },
    async newInteraction() {
      const c = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER' }] });
      const { rows } = await app.pool.query(`SELECT conversation_id AS "conversationId" FROM interactions WHERE id = $1`, [c.interactionIds[0]]);
      return { interactionId: c.interactionIds[0], conversationId: rows[0].conversationId as string };
    },
    async newEscalation() {
      const { interactionId } = await this.newInteraction();
      const res = await app.gql(
        `mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`,
        { input: { interactionId, team: 'SUPERVISOR', reason: 'matrix fixture' } },
        ['admin'],
      );
      return res.data!.escalateInteraction.id as string;
    },
    async newMerge() {
      const res = await app.gql(`mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`, { a: await newCustomer(), b: await newCustomer() }, ['admin']);
      return res.data!.mergeCustomers.id as string;
    },
  };
  // The live schema, as a client sees it (development mode has introspection on).
  const res = await app.gql<any>(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
  const schema = res.data!.__schema;
  operations = [
    ...schema.queryType.fields.map((f: { name: string }) => `Query.${f.name}`),
    ...(schema.mutationType?.fields ?? []).map((f: { name: string }) => `Mutation.${f.name}`),
  ].sort();
});
afterAll(() => app.close());

describe('role matrix', () => {
  it('has an entry for every Query and Mutation field of the live schema, and none for a field that is gone', () => {
    expect(Object.keys(ROLE_MATRIX).sort()).toEqual(operations);
  });

  it('answers every operation for every role exactly as the matrix says', async () => {
    const mismatches: string[] = [];
    for (const operation of operations) {
      const entry = ROLE_MATRIX[operation];
      if (!entry) continue; // reported by the test above
      const field = operation.split('.')[1];
      for (const role of ROLES) {
        const res = await app.gql(entry.document, await entry.variables?.(fixtures), [role as Role]);
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        const forbidden = codes.includes('FORBIDDEN');
        const expected = entry.allowed.includes(role);
        if (expected && (forbidden || codes.includes('UNAUTHENTICATED') || res.status >= 400)) {
          mismatches.push(`${operation} as ${role}: expected allowed, got ${res.status} ${codes.join(',')}`);
        }
        if (!expected && !(forbidden && res.data?.[field] == null)) {
          mismatches.push(`${operation} as ${role}: expected FORBIDDEN, got ${res.status} ${codes.join(',') || 'data'}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
