import { createHash } from 'node:crypto';
import {
  Kind,
  getVariableValues,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Pool } from 'pg';
import type { TokenVerifier, Viewer } from '../auth';
import { currentRequestScope, BoundedMap } from '../common';
import { isUuid, currentReadTarget, routeRequest } from '../db';
import type { ReplicaSet } from '../db';
import { cachedOperationCost, type Limits } from '../graphql';
import type { Metrics, ScopedResponse } from '../http';
import type { Logger } from '../logger';
import { NotCovered, compileResponse, type ResponsePlan } from './response.compile';
import { operationCache, sendFastAnswer, type FastBody, type FastPath, type ParsedOperation } from './fast-path.middleware';

export interface ResponseFastPathDeps {
  schema: GraphQLSchema;
  pool: Pool;
  verifyToken: TokenVerifier;
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
  replicas?: ReplicaSet;
  /** Outside production: `x-sql-statements` (as the Apollo plugin) and `x-read-path: sql-response`. */
  exposeStatementCount: boolean;
  /** false in production: a document asking for __schema or __type is left to Apollo, which refuses it. */
  introspection: boolean;
}

/** One operation of one document text, parsed and validated once. */
interface KnownOperation extends ParsedOperation {
  /** Its plans' keys start with it (plans outlive nothing: an operation forgotten leaves its plans to age out). */
  seq: number;
  idVariable: string | null;
  /** Its text's length: a plan is weighed by it. */
  chars: number;
}

// Bounded in entries and in bytes: documents and variables are a client's text (docs/security-and-operations.md).
const MAX_OPERATIONS = 1000;
const MAX_OPERATION_BYTES = 16 << 20;
const MAX_PLANS = 4096;
const MAX_PLAN_BYTES = 16 << 20;
const MAX_PREPARED = 500;
const MAX_PREPARED_BYTES = 8 << 20;

/**
 * The variable given as `customer(id:)` at the root when the document uses it nowhere else: its
 * value is the statement's `$1` and stays out of the plan's key.
 */
function idVariableOf(operation: OperationDefinitionNode, document: DocumentNode): string | null {
  const root = operation.selectionSet.selections;
  const field = root.length === 1 && root[0].kind === Kind.FIELD && root[0].name.value === 'customer' ? root[0] : null;
  const id = field?.arguments?.find((a) => a.name.value === 'id')?.value;
  if (id?.kind !== Kind.VARIABLE) return null;
  let uses = 0;
  visit(document, {
    Variable(node) {
      if (node.name.value === id.name.value) uses++;
    },
  });
  // Once in the definition, once as the argument.
  return uses === 2 ? id.name.value : null;
}

/**
 * The fast path in front of Apollo for the queries the response compiler covers
 * (fast-paths/response.compile.ts): same token check, limits, metrics, statement count,
 * routing and access log as the GraphQL path, then ONE prepared statement whose text is the
 * response. Everything it does not answer (including every error) goes on to Apollo untouched.
 * The plain edge (./http-edge.ts) offers it requests before Express; `fastPathMiddleware` after
 * Express's body parser offers it the rest (trusted documents, tracing, bodies the edge leaves).
 */
export function responseFastPath(deps: ResponseFastPathDeps): FastPath {
  const { schema, limits, metrics } = deps;
  // First come, never evicted: pg keeps every statement it prepared, per connection, by name.
  const statementNames = new Map<string, string>();
  let preparedBytes = 0;
  const roleKeys = new WeakMap<Viewer, string>();
  /** By operation, role set and the values of every variable but `idVariable`; null: not covered (take the GraphQL path). */
  const plans = new BoundedMap<string, ResponsePlan | null>(MAX_PLANS, MAX_PLAN_BYTES);
  let operations = 0;

  const known = operationCache<KnownOperation>(schema, limits, { maxEntries: MAX_OPERATIONS, maxBytes: MAX_OPERATION_BYTES, introspection: deps.introspection }, (parsed) => ({
    ...parsed, seq: ++operations, idVariable: idVariableOf(parsed.operation, parsed.document), chars: parsed.document.loc?.source.body.length ?? 0,
  }));

  function planOf(op: KnownOperation, body: FastBody, variables: Record<string, unknown>, viewer: Viewer): ResponsePlan | null {
    let roles = roleKeys.get(viewer);
    if (roles === undefined) {
      roles = [...viewer.roles].sort().join(',');
      roleKeys.set(viewer, roles);
    }
    const key = `${op.seq}\n${roles}\n${JSON.stringify(op.idVariable ? { ...variables, [op.idVariable]: undefined } : variables)}`;
    const cached = plans.get(key);
    if (cached !== undefined) return cached;
    let plan: ResponsePlan | null = null;
    try {
      // Over the cost limit: Apollo refuses it. The cost does not depend on the id variable.
      if (cachedOperationCost(schema, op.document, body.operationName ?? undefined, body.variables ?? undefined) <= limits.maxCost) {
        plan = compileResponse(schema, op.fragments, op.operation, variables, viewer.roles, op.idVariable);
      }
    } catch (error) {
      if (!(error instanceof NotCovered)) deps.logger.warn({ err: error }, 'response compiler failed; the GraphQL path answers');
    }
    // A plan's statement and writers grow with its document; the key with the variables.
    plans.set(key, plan, 2 * key.length + (plan ? 2 * plan.text.length + 8 * op.chars : 0));
    return plan;
  }

  function statement(plan: ResponsePlan, values: unknown[]) {
    let name = statementNames.get(plan.text);
    if (name === undefined && statementNames.size < MAX_PREPARED && preparedBytes + 2 * plan.text.length <= MAX_PREPARED_BYTES) {
      name = `r360_${createHash('sha1').update(plan.text).digest('hex').slice(0, 16)}`;
      statementNames.set(plan.text, name);
      preparedBytes += 2 * plan.text.length;
    }
    return name ? { name, text: plan.text, values } : { text: plan.text, values };
  }

  /** True when it answered; false (nothing sent) to let Apollo answer. */
  async function answer(res: ScopedResponse, body: FastBody, viewer: Viewer, started: bigint): Promise<boolean> {
    const op = known(body.query, body.operationName ?? null);
    if (!op || op.operation.operation !== 'query') return false;
    const coerced = getVariableValues(schema, op.operation.variableDefinitions ?? [], body.variables ?? {});
    if (coerced.errors) return false;
    const plan = planOf(op, body, coerced.coerced, viewer);
    if (!plan) return false;
    let values = plan.values;
    if (plan.idVariable) {
      const id = coerced.coerced[plan.idVariable];
      // Not a uuid: the resolver's BAD_USER_INPUT.
      if (typeof id !== 'string' || !isUuid(id)) return false;
      values = [id, ...plan.values.slice(1)];
    }
    const scope = currentRequestScope();
    if (deps.replicas && scope) routeRequest(scope, deps.replicas.choose(viewer.sub));
    const { rows } = await deps.pool.query(statement(plan, values));
    let text: string;
    try {
      text = plan.render(rows);
    } catch (error) {
      if (error instanceof NotCovered) return false;
      throw error;
    }
    const operation = metrics.operationLabel(op.operation.name?.value);
    if (scope) scope.operation = operation;
    metrics.requests.inc({ operation });
    metrics.sqlResponses.inc({ operation });
    metrics.duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
    if (deps.exposeStatementCount && scope) {
      res.setHeader('x-sql-statements', String(scope.statements));
      res.setHeader('x-read-path', 'sql-response');
    }
    const target = currentReadTarget();
    if (target) res.setHeader('x-database-server', target.name);
    sendFastAnswer(res, text);
    return true;
  }

  return {
    answer,
    failed(error, res, next) {
      // A failed statement: the GraphQL path runs the request and answers its own error.
      deps.logger.warn({ err: error, requestId: res.locals.requestId }, 'response fast path failed; the GraphQL path answers');
      next();
    },
  };
}
