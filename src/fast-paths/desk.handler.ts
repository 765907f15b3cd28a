import type { RequestHandler, Response } from 'express';
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isObjectType,
  isScalarType,
  visit,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields';
import type { TokenVerifier, Viewer } from '../auth';
import { effectiveRoles, operationRoles, type Role } from '../auth';
import type { AgentService, CareDeskService, RespondInput } from '../care';
import { holds } from '../care';
import { BoundedMap, currentRequestScope } from '../common';
import { argumentProblem, DomainError, cachedOperationCost, type Limits, type MutationCounter } from '../graphql';
import type { Metrics } from '../http';
import type { Logger } from '../logger';
import { NotCovered, objectWriter } from './response.compile';
import { fastPathMiddleware, operationCache, sendFastAnswer, type FastBody, type ParsedOperation } from './fast-path.middleware';

export interface DeskFastPathDeps {
  schema: GraphQLSchema;
  verifyToken: TokenVerifier;
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
  /** The app's one mutation counter, shared with the Apollo limits plugin. */
  counter: MutationCounter;
  /** The services the resolvers call: the same rules, the same statements. */
  agents: Pick<AgentService, 'actingAgent' | 'claimNext'>;
  careDesk: Pick<CareDeskService, 'respond'>;
  /** Outside production: `x-sql-statements` (as the Apollo plugin) and `x-write-path: <the mutation>`. */
  exposeStatementCount: boolean;
  /** false in production: a document asking for __schema or __type is left to Apollo, which refuses it. */
  introspection: boolean;
}

type Writer = (row: Record<string, unknown>) => string;

/**
 * A mutation this path answers: the roles of its resolver's @Authorized, and the resolver's
 * work split in two: `prepare` runs the checks that need no database (it throws: Apollo answers,
 * nothing was counted), the returned call runs after the mutation was counted (a DomainError:
 * nothing was written; the count is taken back and Apollo answers).
 */
interface DeskMutation {
  roles: readonly Role[];
  nullable: boolean;
  prepare(args: Record<string, unknown>, viewer: Viewer): () => Promise<unknown>;
}

/** One document naming a desk mutation, parsed and validated once. */
interface DeskOperation extends ParsedOperation {
  /** The selection depends on variables only through @include/@skip. */
  directives: boolean;
  /** Its writers' keys start with it (an operation forgotten leaves its writers to age out). */
  seq: number;
  /** Its text's length: a writer is weighed by it. */
  chars: number;
}

interface Compiled {
  key: string;
  name: string;
  mutation: DeskMutation;
  field: FieldNode;
  def: GraphQLField<unknown, unknown>;
  write: Writer;
}

// Bounded in entries and in bytes: documents and variables are a client's text (docs/security-and-operations.md).
const MAX_OPERATIONS = 200;
const MAX_OPERATION_BYTES = 4 << 20;
const MAX_WRITERS = 1024;
const MAX_WRITER_BYTES = 4 << 20;
/**
 * The desk's two hot mutations, claimNextInteraction and respondToInteraction, without Apollo
 * (docs/incidents-and-agents.md, "The desk's fast path"): an agent claims and answers all day,
 * and Apollo's per-request machinery (context and loaders, plugins, the resolver chain) was a
 * good part of their cost. Same token check, validation, limits (body, cost, the shared mutation
 * counter), roles (the resolvers' @Authorized, read back: claim CAN.workQueue, respond CAN.workCare),
 * the same service calls with the same statements (AgentService.actingAgent and claimNext;
 * CareDeskService.respond, whose transaction writes the reply, the history and the outbox
 * events, published after commit) and the same answer text. Covered: a document whose one root
 * field is one of them selecting Interaction fields without a resolver, `assignedUntil` and
 * `__typename`. Everything else, and every error, is answered by Apollo: before the count the
 * request is just passed on; a DomainError after it (an unknown or inactive agent, an item that
 * cannot be answered: nothing was written) takes the count back first, so a request counts once;
 * an unexpected failure after the count is answered as a 500 (the write may have committed, so
 * it is not run again).
 */
export function deskFastPath(deps: DeskFastPathDeps): RequestHandler {
  const { schema, limits, metrics } = deps;
  const mutationType = schema.getMutationType();
  const MUTATIONS: Record<string, DeskMutation> = {
    claimNextInteraction: {
      roles: operationRoles('mutation', 'claimNextInteraction'),
      nullable: true,
      prepare(args, viewer) {
        // FORBIDDEN (another agent, not a supervisor) or a bad id throws here.
        const agentId = deps.agents.actingAgent(args.agentId as string | null | undefined, viewer);
        return () => deps.agents.claimNext(agentId);
      },
    },
    respondToInteraction: {
      roles: operationRoles('mutation', 'respondToInteraction'),
      nullable: false,
      prepare: (args, viewer) => () => deps.careDesk.respond(args.input as RespondInput, viewer.sub),
    },
  };
  const interactionType = mutationType?.getFields().claimNextInteraction ? getNamedType(mutationType.getFields().claimNextInteraction.type) : null;

  /** By operation and, when it has `directives`, the variables' values; null: not covered. */
  const writers = new BoundedMap<string, Compiled | null>(MAX_WRITERS, MAX_WRITER_BYTES);
  let operations = 0;
  const parsed = operationCache<DeskOperation>(schema, limits, { maxEntries: MAX_OPERATIONS, maxBytes: MAX_OPERATION_BYTES, introspection: deps.introspection }, (p) => {
    if (p.operation.operation !== 'mutation') return null;
    let directives = false;
    visit(p.document, {
      Directive() {
        directives = true;
      },
    });
    return { ...p, directives, seq: ++operations, chars: p.document.loc?.source.body.length ?? 0 };
  });
  // Cheap first test, and nothing cached for the documents of every other operation.
  const known = (query: string, operationName: string | null): DeskOperation | null =>
    query.includes('claimNextInteraction') || query.includes('respondToInteraction') ? parsed(query, operationName) : null;

  /** The roles every caller admitted by `roles` holds (after implication): what the answer may show. */
  function surelyHeld(roles: readonly Role[]): ReadonlySet<Role> {
    const sets = roles.map((role) => effectiveRoles([role]));
    return new Set([...(sets[0] ?? [])].filter((role) => sets.every((set) => set.has(role))));
  }

  function compile(op: DeskOperation, variables: Record<string, unknown>): Compiled | null {
    if (!mutationType || !interactionType || !isObjectType(interactionType)) return null;
    const groups = [...collectFields(schema, op.fragments, variables, mutationType, op.operation.selectionSet)];
    if (groups.length !== 1) return null;
    const [key, group] = groups[0];
    const name = group[0].name.value;
    const mutation = Object.hasOwn(MUTATIONS, name) ? MUTATIONS[name] : undefined;
    const rootDef = mutationType.getFields()[name];
    if (!mutation || !rootDef || getNamedType(rootDef.type) !== interactionType) return null;
    const assignedUntil = interactionType.getFields().assignedUntil;
    const dateTime = assignedUntil ? getNamedType(assignedUntil.type) : null;
    try {
      const write = objectWriter(schema, op.fragments, variables, surelyHeld(mutation.roles), interactionType, group, {
        // The resolver of Interaction.assignedUntil (agent.resolver.ts), on the same row.
        assignedUntil: () => (row) => {
          if (!holds(row) || !isScalarType(dateTime)) return 'null';
          return JSON.stringify(dateTime.serialize(row.assignmentDueAt));
        },
      });
      return { key, name, mutation, field: group[0], def: rootDef, write };
    } catch (error) {
      if (error instanceof NotCovered) return null;
      throw error;
    }
  }

  function writerOf(op: DeskOperation, variables: Record<string, unknown>): Compiled | null {
    const key = op.directives ? `${op.seq}\n${JSON.stringify(variables)}` : String(op.seq);
    const cached = writers.get(key);
    if (cached !== undefined) return cached;
    const compiled = compile(op, variables);
    // A writer's closures grow with its document; the key with the variables.
    writers.set(key, compiled, 2 * key.length + (compiled ? 8 * op.chars : 0));
    return compiled;
  }

  /** True when it answered; false (nothing sent, nothing counted) to let Apollo answer. */
  async function answer(res: Response, body: FastBody, viewer: Viewer, started: bigint): Promise<boolean> {
    const op = known(body.query, body.operationName ?? null);
    if (!op) return false;
    const coerced = getVariableValues(schema, op.operation.variableDefinitions ?? [], body.variables ?? {});
    if (coerced.errors) return false;
    const compiled = writerOf(op, coerced.coerced);
    if (!compiled) return false;
    // The resolver's @Authorized; anyone else gets Apollo's FORBIDDEN.
    if (!compiled.mutation.roles.some((role) => viewer.roles.has(role))) return false;
    let call: () => Promise<unknown>;
    try {
      if (cachedOperationCost(schema, op.document, body.operationName ?? undefined, body.variables ?? undefined) > limits.maxCost) return false;
      const args = getArgumentValues(compiled.def, compiled.field, coerced.coerced);
      // Text PostgreSQL cannot store: Apollo's argument guard answers BAD_USER_INPUT.
      if (argumentProblem(args, compiled.name)) return false;
      call = compiled.mutation.prepare(args, viewer);
    } catch {
      // Apollo answers, and counts the mutation itself.
      return false;
    }
    // Over the rate: Apollo counts again (the window's refusal does not change) and answers the 429.
    if (await deps.counter.count(viewer.sub)) return false;
    let row: Record<string, unknown> | null;
    try {
      row = (await call()) as Record<string, unknown> | null;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Refused by the service: nothing was written; Apollo counts and answers the error.
      await deps.counter.uncount(viewer.sub);
      return false;
    }
    // A non-null field answered null would be Apollo's error: never expected, but not answered here.
    if (row === null && !compiled.mutation.nullable) throw new Error(`${compiled.name} returned null`);
    const text = `{"data":{"${compiled.key}":${row ? compiled.write(row) : 'null'}}}\n`;
    const operation = metrics.operationLabel(op.operation.name?.value);
    const scope = currentRequestScope();
    if (scope) scope.operation = operation;
    metrics.requests.inc({ operation });
    metrics.duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
    if (deps.exposeStatementCount && scope) {
      res.setHeader('x-sql-statements', String(scope.statements));
      res.setHeader('x-write-path', compiled.name);
    }
    sendFastAnswer(res, text);
    return true;
  }

  return fastPathMiddleware(limits, deps.verifyToken, {
    answer,
    failed(error, res, next) {
      // After the count the write may have committed: it is not run again; the HTTP error handler answers a 500.
      deps.logger.error({ err: error, requestId: res.locals.requestId }, 'desk fast path failed');
      next(error);
    },
  });
}
