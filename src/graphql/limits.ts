import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * The abuse limits of one app. The numbers and how they were sized are in docs/security-and-operations.md
 * ("Abuse limits"); test/integration/limits.test.ts holds each at its edge.
 */
export interface Limits {
  /** Nested field levels, leaf included (`{ customer { id } }` is 2). */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document (graphql-js counts them while parsing). */
  maxTokens: number;
  /** Estimated rows/objects an operation may produce (see connectionEstimator). */
  maxCost: number;
  /** Request body for every operation but the bulk ones. */
  maxBodyBytes: number;
  /** Request body for an operation made only of BULK_OPERATIONS fields. */
  maxBulkBodyBytes: number;
  /** Mutations per token subject per minute. */
  mutationsPerMinute: number;
  /**
   * Validation errors answered for one document; graphql-js stops validating there and adds
   * "Too many validation errors". A document of repeated or unknown directives
   * (`{ __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }`, graphql-cop's Directive Overloading)
   * would otherwise make the server build and send an error per directive (and one per repeat).
   */
  maxValidationErrors: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 1000,
  maxCost: 10_000,
  maxBodyBytes: 100 * 1024,
  maxBulkBodyBytes: 2 * 1024 * 1024,
  mutationsPerMinute: 600,
  maxValidationErrors: 3,
});

/** Root mutation fields allowed the larger body: bulk ingestion of up to 1,000 items. */
export const BULK_OPERATIONS: ReadonlySet<string> = new Set(['recordInteractions', 'recordTouchpoints', 'recordPurchases']);

/**
 * A request refused by a limit. Validation rules report it inside Apollo's own
 * GRAPHQL_VALIDATION_FAILED error; formatError restores this code from `originalError`.
 */
export class LimitError extends GraphQLError {
  constructor(message: string, code: 'QUERY_TOO_COMPLEX' | 'RATE_LIMITED' | 'BAD_REQUEST' = 'QUERY_TOO_COMPLEX', status = 400) {
    super(message, { extensions: { code, http: { status } } });
  }
}

/**
 * GraphQL Armor rules as graphql-js validation rules. Armor's default is to throw from the
 * visitor, which escapes graphql-js `validate()` and makes Apollo answer HTTP 500; with
 * `propagateOnRejection: false` the rejection is reported as a validation error (HTTP 400).
 */
export function limitValidationRules(limits: Limits): ValidationRule[] {
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(new LimitError(error.message.replace(/^Syntax Error: /, '')));
  const common = { propagateOnRejection: false, onReject: [report], exposeLimits: true };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth }) as unknown as ValidationRule,
    // Armor exempts aliases of __typename by default; graphql-cop's alias-overloading probe is exactly that.
    maxAliasesRule({ ...common, n: limits.maxAliases, allowList: [] }) as unknown as ValidationRule,
    maxDirectivesRule({ ...common, n: limits.maxDirectives }) as unknown as ValidationRule,
  ];
}

/**
 * Cost = rows the operation can make the server produce. A field that returns an object or a
 * list of objects costs 1 plus its selection; a field with a `first` argument (a connection)
 * costs 1 plus `first` times its selection, because each of its `first` nodes repeats it.
 * Scalars cost nothing: they come with the row. Plain lists (emails, consents, identities)
 * are short per customer and counted once. A field may override with type-graphql's
 * `complexity` option (read by fieldExtensionsEstimator).
 */
export const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!isCompositeType(getNamedType(field.type))) return 0;
  const first = typeof args.first === 'number' && args.first > 0 ? args.first : null;
  return 1 + (first ?? 1) * childComplexity;
};

/**
 * The cost reads only `first` (an Int), yet graphql-query-complexity coerces every variable
 * again; a bulk call's 1,000-item list would be coerced twice. Lists go in empty: still a
 * valid value of their type, and no estimator counts list items.
 */
function withoutLists(variables: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!variables) return variables;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, Array.isArray(value) ? [] : value]));
}

export function operationCost(schema: GraphQLSchema, document: Parameters<typeof getComplexity>[0]['query'], operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  return getComplexity({ schema, query: document, operationName, variables: withoutLists(variables), estimators: [fieldExtensionsEstimator(), connectionEstimator] });
}

type CostDocument = Parameters<typeof getComplexity>[0]['query'];

/** Costs per document (Apollo hands the same DocumentNode for the same text from its document store). */
const costCache = new WeakMap<CostDocument, Map<string, number>>();
/** Distinct (operation, cost-relevant variables) kept per document. */
const MAX_COSTS_PER_DOCUMENT = 64;

/**
 * The cost of an operation, computed once per document, operation name and the variables
 * that can change it: numbers (`first`), booleans (`@skip`/`@include`) and nulls. Ids,
 * strings, enums and input objects cannot, so `customer(id: $id)` costs one analysis per
 * document, not one per request. Throws like operationCost (uncached) when variables do not coerce.
 */
export function cachedOperationCost(schema: GraphQLSchema, document: CostDocument, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  let costs = costCache.get(document);
  if (!costs) {
    costs = new Map();
    costCache.set(document, costs);
  }
  const relevant: unknown[] = [operationName ?? null];
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') relevant.push(name, value);
  }
  const key = JSON.stringify(relevant);
  const known = costs.get(key);
  if (known !== undefined) return known;
  const cost = operationCost(schema, document, operationName, variables);
  if (costs.size < MAX_COSTS_PER_DOCUMENT) costs.set(key, cost);
  return cost;
}

export interface LimitsContext {
  readonly viewer: { readonly sub: string };
  /** Size of the raw request body, measured by the JSON body parser. */
  readonly bodyBytes: number;
}

/** Where the mutation counters live when they must hold across processes. */
export interface SharedRateStore {
  /** A pool on the primary (never a replica: every count is a write). */
  pool: Pool;
  /** Counters are shared by every app with the same prefix (tests give each app its own). */
  keyPrefix?: string;
}

/** Table created by migration SharedRateLimits1795770000000 with the columns RateLimiterPostgres expects. */
export const RATE_LIMIT_TABLE = 'rate_limit_counters';

/**
 * The per-token mutation counter: in PostgreSQL when a store is given, so N worker processes or
 * instances allow the limit once, not N times (one upsert per mutation on the primary). While
 * PostgreSQL does not answer, a per-process memory counter stands in (the insurance limiter)
 * so the limiter never turns a database blip into a different error than the mutation's own.
 */
function mutationLimiter(points: number, store: SharedRateStore | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points, duration: 60 });
  if (!store) return memory;
  return new RateLimiterPostgres({
    storeClient: store.pool,
    storeType: 'pool',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    keyPrefix: store.keyPrefix ?? 'mutations',
    points,
    duration: 60,
    insuranceLimiter: memory,
  });
}

/**
 * The per-token mutation count, shared by the Apollo plugin and any path that answers a mutation
 * without Apollo (the desk fast path, fast-paths/desk.handler.ts): one counter per app, so a
 * mutation counts once whichever path answers it.
 */
export interface MutationCounter {
  /** Counts one mutation of `sub`; the RATE_LIMITED LimitError (HTTP 429, retry-after) when it is over the rate, else null. */
  count(sub: string): Promise<LimitError | null>;
  /** Takes one count back: a request counted by a fast path that then hands it to Apollo, which counts it again. */
  uncount(sub: string): Promise<void>;
}

/** The app's mutation counter (in PostgreSQL when `store` is given). Usage: `const counter = mutationCounter(limits, { pool })`. */
export function mutationCounter(limits: Limits, store?: SharedRateStore): MutationCounter {
  const mutations = mutationLimiter(limits.mutationsPerMinute, store);
  return {
    async count(sub) {
      try {
        await mutations.consume(sub);
        return null;
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        const retryAfter = Math.ceil(refused.msBeforeNext / 1000);
        const error = new LimitError(`more than ${limits.mutationsPerMinute} mutations a minute for this token; retry after ${retryAfter} s`, 'RATE_LIMITED', 429);
        (error.extensions.http as { headers?: HeaderMap }).headers = new HeaderMap([['retry-after', String(retryAfter)]]);
        return error;
      }
    },
    async uncount(sub) {
      await mutations.reward(sub, 1);
    },
  };
}

/**
 * Apollo plugin for the limits that need the resolved operation: cost, the body size of
 * non-bulk operations, and the per-token mutation rate. Each throws a LimitError that
 * carries its HTTP status (an error without one would be a 500 at this stage). `counter`: the
 * app's one mutation counter when another path shares it (default: one of its own on `store`).
 */
export function limitsPlugin(limits: Limits, store?: SharedRateStore, counter: MutationCounter = mutationCounter(limits, store)): ApolloServerPlugin<LimitsContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          // Apollo refuses a document without a matching operation before this hook.
          if (!operation) return;
          if (contextValue.bodyBytes > limits.maxBodyBytes && !isBulkOnly(operation)) {
            throw new LimitError(
              `request body of ${contextValue.bodyBytes} bytes is over the ${limits.maxBodyBytes}-byte limit (only ${[...BULK_OPERATIONS].join(', ')} may send up to ${limits.maxBulkBodyBytes})`,
              'BAD_REQUEST',
              413,
            );
          }
          let cost: number;
          try {
            cost = cachedOperationCost(schema, document, request.operationName ?? undefined, request.variables);
          } catch (error) {
            // Variables that do not coerce: execution refuses them with BAD_USER_INPUT, and nothing runs.
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > limits.maxCost) {
            throw new LimitError(`query cost ${cost} is over the limit of ${limits.maxCost}; ask for fewer rows (smaller first) or fewer nested connections`);
          }
          if (operation.operation === 'mutation') {
            const refused = await counter.count(contextValue.viewer.sub);
            if (refused) throw refused;
          }
        },
      };
    },
  };
}

function isBulkOnly(operation: OperationDefinitionNode): boolean {
  return (
    operation.operation === 'mutation' &&
    operation.selectionSet.selections.every((s) => s.kind === 'Field' && BULK_OPERATIONS.has(s.name.value))
  );
}
