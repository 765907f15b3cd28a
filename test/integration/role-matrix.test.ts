import { ROLES, type Role } from '../../src/auth/roles';
import { startTestApp, type TestApp } from '../helpers/app';
import { matrixFixtures, ROLE_MATRIX, type MatrixFixtures } from './role-matrix';

let app: TestApp;
let fixtures: MatrixFixtures;
let operations: string[];

beforeAll(async () => {
  app = await startTestApp();
  fixtures = await matrixFixtures(app);
  // The live schema, as a client sees it (development mode has introspection on).
  const res = await app.gql<any>(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`, {}, ['admin']);
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
        const res = await app.gql(entry.document, await entry.variables?.(fixtures, role as Role), [role as Role]);
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        const forbidden = codes.includes('FORBIDDEN');
        const expected = entry.allowed.includes(role);
        // Allowed means answered: no error at all, not only no FORBIDDEN.
        if (expected && (codes.length > 0 || res.status >= 400)) {
          mismatches.push(`${operation} as ${role}: expected an answer, got ${res.status} ${codes.join(',')} ${res.errors?.[0]?.message ?? ''}`);
        }
        if (!expected && !(forbidden && res.data?.[field] == null)) {
          mismatches.push(`${operation} as ${role}: expected FORBIDDEN, got ${res.status} ${codes.join(',') || 'data'}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});
