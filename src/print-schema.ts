import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildAppSchema } from './schema';

const HEADER = '# Generated from the code by `npm run schema`. Do not edit: change the resolvers and regenerate.\n\n';

/** The committed SDL form of the live schema, sorted so diffs stay small. */
export async function printSchemaFile(): Promise<string> {
  return HEADER + printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}
