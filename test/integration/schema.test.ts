import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, isObjectType, isInputObjectType, isEnumType, type GraphQLNamedType } from 'graphql';
import { printSchemaFile } from '../../src/print-schema';
import { buildAppSchema } from '../../src/schema';

const root = path.resolve(__dirname, '../..');
/** Contract types by name, with their field or enum value names (the contract leaves some types undefined). */
const contract = new Map<string, string[]>();
// The contract lives in ../shared beside the checkout; schema/api-contract.graphql is the copy
// we build against, for checkouts without it (a test below keeps the two equal).
const sharedContract = path.join(root, '../shared/design/api-contract.graphql');
const contractCopy = path.join(root, 'schema/api-contract.graphql');
const contractText = readFileSync(existsSync(sharedContract) ? sharedContract : contractCopy, 'utf8');
for (const def of parse(contractText).definitions) {
  if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
    contract.set(def.name.value, (def.fields ?? []).map((f) => f.name.value));
  } else if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
    contract.set(def.name.value, (def.values ?? []).map((v) => v.name.value));
  }
}

function fieldsOf(type: GraphQLNamedType): string[] {
  return isObjectType(type) || isInputObjectType(type) ? Object.keys(type.getFields()) : [];
}

describe('schema as a product', () => {
  it('builds against the current contract (schema/api-contract.graphql is a copy of shared/design/api-contract.graphql)', () => {
    expect(readFileSync(contractCopy, 'utf8')).toBe(contractText);
  });

  it('committed schema/schema.graphql is what the code generates (run `npm run schema`)', async () => {
    const committed = readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
    expect(committed).toBe(await printSchemaFile());
  });

  it('keeps every contract name it implements, with the contract spelling', async () => {
    const live = await buildAppSchema();
    const mismatches: string[] = [];
    for (const [name, members] of contract) {
      const ours = live.getType(name);
      if (!ours || name === 'Query' || name === 'Mutation') continue; // operations: checked per issue below
      const have = isEnumType(ours) ? ours.getValues().map((v) => v.name) : fieldsOf(ours);
      for (const member of members) if (!have.includes(member)) mismatches.push(`${name}.${member}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('has the read path of the foundation: customer, lookupCustomer, customers and the 360 fields', async () => {
    const live = await buildAppSchema();
    const query = live.getQueryType()!.getFields();
    expect(Object.keys(query)).toEqual(expect.arrayContaining(['customer', 'lookupCustomer', 'customers']));
    const customer = live.getType('Customer');
    expect(fieldsOf(customer!)).toEqual(expect.arrayContaining(contract.get('Customer')!));
    for (const name of ['ContactPoint', 'SocialIdentity', 'Interaction', 'Conversation', 'InfluenceScore', 'Priority']) {
      expect(live.getType(name)).toBeDefined();
    }
  });
});
