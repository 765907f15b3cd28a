import type { Request, RequestHandler, Response } from 'express';
import {
  Kind,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isObjectType,
  isScalarType,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields';
import type { TokenVerifier, Viewer } from '../auth/jwt';
import { CAN } from '../auth/roles';
import type { AgentService } from '../care/agent.service';
import { holds } from '../care/agent.service';
import { currentRequestScope } from '../common/request-scope';
import { DomainError } from '../graphql/errors';
import { cachedOperationCost, limitValidationRules, type Limits, type MutationCounter } from '../graphql/limits';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logger';
import { NotCovered, objectWriter } from './response.compile';

export interface ClaimFastPathDeps {
  schema: GraphQLSchema;
  verifyToken: TokenVerifier;
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
  /** The app's one mutation counter, shared with the Apollo limits plugin. */
  counter: MutationCounter;
  /** The service the resolver calls: the same rules, the same statements. */
  agents: Pick<AgentService, 'actingAgent' | 'claimNext'>;
  /** Outside production: `x-sql-statements` (as the Apollo plugin) and `x-write-path: claim`. */
  exposeStatementCount: boolean;
}

type Writer = (row: Record<string, unknown>) => string;

/** One claim document, parsed and validated once. */
interface ClaimOperation {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  document: DocumentNode;
  /** The selection depends on variables only through @include/@skip. */
  directives: boolean;
  /** By the variables' values when `directives`, else under ''; null: not covered. */
  writers: Map<string, Compiled | null>;
}

interface Compiled {
  key: string;
  field: FieldNode;
  def: GraphQLField<unknown, unknown>;
  write: Writer;
}

const MAX_OPERATIONS = 200;
const MAX_WRITERS = 64;
const JSON_ACCEPTS = new Set([undefined, '', '*/*', 'application/json']);

interface Body {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

function plainBody(body: unknown): body is Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string' || b.extensions !== undefined) return false;
  if (b.operationName != null && typeof b.operationName !== 'string') return false;
  return b.variables == null || (typeof b.variables === 'object' && !Array.isArray(b.variables));
}

/**
 * The mutation `claimNextInteraction` without Apollo (docs/incidents-and-agents.md, "The claim's
 * fast path"): a claim is the hottest mutation of a desk and its own work is one statement, so
 * Apollo's per-request machinery (context and loaders, plugins, the resolver chain) was most of
 * its cost. Same token check, validation, limits (body, cost, the shared mutation counter), role
 * (CAN.workQueue: agent, supervisor, admin), the same service calls (AgentService.actingAgent,
 * claimNext: the rate-limit counter and the claim statement, two statements) and the same answer
 * text. Covered: a document whose one root field is claimNextInteraction selecting Interaction
 * fields without a resolver, `assignedUntil` and `__typename`. Everything else, and every error,
 * is answered by Apollo: before the count it just passes the request on; an unknown or inactive
 * agent (the claim found nothing and wrote nothing) takes its count back first, so a request
 * counts once; an unexpected failure after the count is answered as a 500 (the claim may have
 * committed, so it is not run again).
 */
export function claimFastPath(deps: ClaimFastPathDeps): RequestHandler {
  const { schema, limits, metrics } = deps;
  const rules = [...specifiedRules, ...limitValidationRules(limits)];
  const operations = new Map<string, ClaimOperation | null>();
  const mutationType = schema.getMutationType();
  const rootDef = mutationType?.getFields().claimNextInteraction;
  const interactionType = rootDef ? getNamedType(rootDef.type) : null;

  function known(query: string, operationName: string | null): ClaimOperation | null {
    const cacheKey = `${operationName ?? ''}\n${query}`;
    const cached = operations.get(cacheKey);
    if (cached !== undefined) return cached;
    let entry: ClaimOperation | null = null;
    // Cheap first test: documents that cannot be a claim are not parsed twice.
    if (query.includes('claimNextInteraction')) {
      try {
        const document = parse(query, { maxTokens: limits.maxTokens });
        const valid = validate(schema, document, rules, { maxErrors: limits.maxValidationErrors }).length === 0;
        const operation = valid ? getOperationAST(document, operationName) : null;
        if (operation?.operation === 'mutation') {
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          let directives = false;
          visit(document, {
            Directive() {
              directives = true;
            },
          });
          entry = { operation, fragments, document, directives, writers: new Map() };
        }
      } catch {
        // A syntax error: Apollo answers it.
      }
    }
    if (operations.size < MAX_OPERATIONS) operations.set(cacheKey, entry);
    return entry;
  }

  function compile(op: ClaimOperation, variables: Record<string, unknown>): Compiled | null {
    if (!mutationType || !rootDef || !interactionType || !isObjectType(interactionType)) return null;
    const groups = [...collectFields(schema, op.fragments, variables, mutationType, op.operation.selectionSet)];
    if (groups.length !== 1 || groups[0][1][0].name.value !== 'claimNextInteraction') return null;
    const [key, group] = groups[0];
    const assignedUntil = interactionType.getFields().assignedUntil;
    const dateTime = assignedUntil ? getNamedType(assignedUntil.type) : null;
    try {
      const write = objectWriter(schema, op.fragments, variables, interactionType, group, {
        // The resolver of Interaction.assignedUntil (agent.resolver.ts), on the same row.
        assignedUntil: () => (row) => {
          if (!holds(row) || !isScalarType(dateTime)) return 'null';
          return JSON.stringify(dateTime.serialize(row.assignmentDueAt));
        },
      });
      return { key, field: group[0], def: rootDef, write };
    } catch (error) {
      if (error instanceof NotCovered) return null;
      throw error;
    }
  }

  function writerOf(op: ClaimOperation, variables: Record<string, unknown>): Compiled | null {
    const key = op.directives ? JSON.stringify(variables) : '';
    const cached = op.writers.get(key);
    if (cached !== undefined) return cached;
    const compiled = compile(op, variables);
    if (op.writers.size < MAX_WRITERS) op.writers.set(key, compiled);
    return compiled;
  }

  /** True when it answered; false (nothing sent, nothing counted) to let Apollo answer. */
  async function answer(req: Request, res: Response, body: Body, started: bigint): Promise<boolean> {
    const op = known(body.query, body.operationName ?? null);
    if (!op) return false;
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    let viewer: Viewer;
    try {
      viewer = await deps.verifyToken(token);
    } catch {
      return false;
    }
    // @Authorized(CAN.workQueue) on the resolver; anyone else gets Apollo's FORBIDDEN.
    if (!CAN.workQueue.some((role) => viewer.roles.has(role))) return false;
    const coerced = getVariableValues(schema, op.operation.variableDefinitions ?? [], body.variables ?? {});
    if (coerced.errors) return false;
    const compiled = writerOf(op, coerced.coerced);
    if (!compiled) return false;
    let agentId: string;
    try {
      if (cachedOperationCost(schema, op.document, body.operationName ?? undefined, body.variables ?? undefined) > limits.maxCost) return false;
      const args = getArgumentValues(compiled.def, compiled.field, coerced.coerced) as { agentId?: string | null };
      // FORBIDDEN (another agent, not a supervisor) or a bad id: Apollo answers, having counted the mutation itself.
      agentId = deps.agents.actingAgent(args.agentId, viewer);
    } catch {
      return false;
    }
    // Over the rate: Apollo counts again (the window's refusal does not change) and answers the 429.
    if (await deps.counter.count(viewer.sub)) return false;
    let row: Record<string, unknown> | null;
    try {
      row = (await deps.agents.claimNext(agentId)) as unknown as Record<string, unknown> | null;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // An unknown or inactive agent: nothing was written; Apollo counts and answers the error.
      await deps.counter.uncount(viewer.sub);
      return false;
    }
    const text = `{"data":{"${compiled.key}":${row ? compiled.write(row) : 'null'}}}\n`;
    const operation = metrics.operationLabel(op.operation.name?.value);
    const scope = currentRequestScope();
    if (scope) scope.operation = operation;
    metrics.requests.inc({ operation });
    metrics.duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
    if (deps.exposeStatementCount && scope) {
      res.setHeader('x-sql-statements', String(scope.statements));
      res.setHeader('x-write-path', 'claim');
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
    return true;
  }

  return (req, res, next) => {
    const body: unknown = req.body;
    if (req.method !== 'POST' || !plainBody(body) || !JSON_ACCEPTS.has(req.headers.accept)) return next();
    if (Number(res.locals.bodyBytes ?? 0) > limits.maxBodyBytes) return next();
    answer(req, res, body, process.hrtime.bigint()).then(
      (answered) => {
        if (!answered) next();
      },
      (error: unknown) => {
        // After the count the claim may have committed: it is not run again; the HTTP error handler answers a 500.
        deps.logger.error({ err: error, requestId: res.locals.requestId }, 'claim fast path failed');
        if (!res.headersSent) next(error);
      },
    );
  };
}
