import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import {
  Kind,
  getVariableValues,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Pool } from 'pg';
import type { TokenVerifier, Viewer } from '../auth/jwt';
import { currentRequestScope } from '../common/request-scope';
import { isUuid } from '../db/batch';
import type { ReplicaSet } from '../db/replicas';
import { currentReadTarget, routeRequest } from '../db/routing';
import { cachedOperationCost, type Limits } from '../graphql/limits';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logger';
import { NotCovered, compileResponse, type ResponsePlan } from './response.compile';
import { bearerViewer, fastPathMiddleware, operationCache, sendFastAnswer, type FastBody, type ParsedOperation } from './fast-path.http';

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
}

/** One operation of one document text, parsed and validated once. */
interface KnownOperation extends ParsedOperation {
  idVariable: string | null;
  /** By role set and the values of every variable but `idVariable`; null: not covered (take the GraphQL path). */
  plans: Map<string, ResponsePlan | null>;
}

const MAX_OPERATIONS = 1000;
const MAX_PLANS_PER_OPERATION = 64;
const MAX_PREPARED = 500;

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
 * Express handler in front of Apollo for the queries the response compiler covers
 * (customer360/response.compile.ts): same token check, limits, metrics, statement count,
 * routing and access log as the GraphQL path, then ONE prepared statement whose text is the
 * response. Everything it does not answer (including every error) goes on to Apollo untouched.
 */
export function responseFastPath(deps: ResponseFastPathDeps): RequestHandler {
  const { schema, limits, metrics } = deps;
  const statementNames = new Map<string, string>();
  const roleKeys = new WeakMap<Viewer, string>();

  const known = operationCache<KnownOperation>(schema, limits, MAX_OPERATIONS, (parsed) => ({
    ...parsed, idVariable: idVariableOf(parsed.operation, parsed.document), plans: new Map(),
  }));

  function planOf(op: KnownOperation, body: FastBody, variables: Record<string, unknown>, viewer: Viewer): ResponsePlan | null {
    let roles = roleKeys.get(viewer);
    if (roles === undefined) {
      roles = [...viewer.roles].sort().join(',');
      roleKeys.set(viewer, roles);
    }
    const key = `${roles}\n${JSON.stringify(op.idVariable ? { ...variables, [op.idVariable]: undefined } : variables)}`;
    const cached = op.plans.get(key);
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
    if (op.plans.size < MAX_PLANS_PER_OPERATION) op.plans.set(key, plan);
    return plan;
  }

  function statement(plan: ResponsePlan, values: unknown[]) {
    let name = statementNames.get(plan.text);
    if (name === undefined && statementNames.size < MAX_PREPARED) {
      name = `r360_${createHash('sha1').update(plan.text).digest('hex').slice(0, 16)}`;
      statementNames.set(plan.text, name);
    }
    return name ? { name, text: plan.text, values } : { text: plan.text, values };
  }

  /** True when it answered; false (nothing sent) to let Apollo answer. */
  async function answer(req: Request, res: Response, body: FastBody, started: bigint): Promise<boolean> {
    const op = known(body.query, body.operationName ?? null);
    if (!op || op.operation.operation !== 'query') return false;
    const viewer = await bearerViewer(req, deps.verifyToken);
    if (!viewer) return false;
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

  return fastPathMiddleware(limits, answer, (error, res, next) => {
    // A failed statement: the GraphQL path runs the request and answers its own error.
    deps.logger.warn({ err: error, requestId: res.locals.requestId }, 'response fast path failed; the GraphQL path answers');
    next();
  });
}
