import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import {
  Kind, NoSchemaIntrospectionCustomRule, getOperationAST, parse, specifiedRules, validate,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { TokenVerifier, Viewer } from '../auth';
import { verifiedViewer, verifyBearer, type ScopedResponse } from '../http';
import { BoundedMap } from '../common';
import { limitValidationRules, type Limits } from '../graphql';

// The HTTP edge of the paths that answer in front of Apollo (fast-paths/response.handler.ts for
// reads, fast-paths/desk.handler.ts for the desk's mutations). What they share is plain HTTP,
// not customer 360: which requests they may take at all, the documents they have seen, how they
// answer, and the middleware around their `answer` (false: not covered, the next handler runs it).

/** A document that parsed and passed Apollo's validation rules and limits, with the operation to run. */
export interface ParsedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** How many documents a fast path keeps, in entries and in (estimated) bytes, and whether introspection is allowed. */
export interface OperationCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** false in production, as Apollo's `introspection` option: a document with __schema or __type is left to Apollo, which refuses it. */
  introspection: boolean;
}

/**
 * Bytes a parsed document holds, per character of its text: its AST (with locations) measured
 * at 50 to 80 times the text on graphql 16. The key (the text itself, UTF-16) comes on top.
 */
const AST_BYTES_PER_CHAR = 80;

/** The estimated bytes of what a fast path keeps for a document of `query`'s length. */
const documentBytes = (query: string): number => (AST_BYTES_PER_CHAR + 2) * query.length;

/**
 * The documents a fast path has seen, each parsed and validated once, by operation name and
 * text (bounded in entries and bytes, least recently used forgotten first); `make` turns one
 * into what the path keeps of it. null: Apollo answers (a syntax or validation error, no such
 * operation, or `make` declined it). Call it only for a verified caller: the text is untrusted.
 * Usage: `const known = operationCache(schema, limits, { maxEntries: 1000, maxBytes: 16 << 20, introspection }, (parsed) => parsed)`
 */
export function operationCache<T>(
  schema: GraphQLSchema, limits: Limits, options: OperationCacheOptions, make: (parsed: ParsedOperation) => T | null,
): (query: string, operationName: string | null) => T | null {
  const rules = [...specifiedRules, ...limitValidationRules(limits), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const operations = new BoundedMap<string, T | null>(options.maxEntries, options.maxBytes);
  return (query, operationName) => {
    const key = `${operationName ?? ''}\n${query}`;
    const cached = operations.get(key);
    if (cached !== undefined) return cached;
    let entry: T | null = null;
    try {
      const document = parse(query, { maxTokens: limits.maxTokens });
      const operation = validate(schema, document, rules, { maxErrors: limits.maxValidationErrors }).length === 0 ? getOperationAST(document, operationName) : null;
      if (operation) {
        const fragments: Record<string, FragmentDefinitionNode> = {};
        for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
        entry = make({ document, operation, fragments });
      }
    } catch {
      // A syntax error: Apollo answers it.
    }
    // A refused document keeps no AST: its key is all it holds.
    operations.set(key, entry, entry === null ? 2 * key.length : documentBytes(key));
    return entry;
  };
}

/** A POST body as Apollo takes it. */
export interface FastBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** A POST body Apollo would run as one operation, without persisted-query or other extensions. */
function plainBody(body: unknown): body is FastBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string' || b.extensions !== undefined) return false;
  if (b.operationName != null && typeof b.operationName !== 'string') return false;
  return b.variables == null || (typeof b.variables === 'object' && !Array.isArray(b.variables));
}

/** Accept headers for which Apollo answers `application/json; charset=utf-8`. */
const JSON_ACCEPTS = new Set([undefined, '', '*/*', 'application/json']);

/**
 * Sends a fast path's answer as Apollo would: 200, JSON, its length.
 * res.end, not res.send: send would hash the body for an ETag, which Apollo's answers do not carry.
 */
export function sendFastAnswer(res: ServerResponse, text: string): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * What a fast path does with a request it may take: `answer` (false: not covered, the next
 * handler runs it), and `failed`, which decides what a thrown error becomes (call `next()` to let
 * Apollo run the request, `next(error)` for a 500).
 */
export interface FastPath {
  answer(res: ScopedResponse, body: FastBody, viewer: Viewer, started: bigint): Promise<boolean>;
  failed(error: unknown, res: ScopedResponse, next: (error?: unknown) => void): void;
}

/**
 * Offers a request to a fast path: a plain JSON POST within the body limit, from a caller whose
 * token is valid, goes to its `answer`; one it does not answer (false), and any other request,
 * goes to `next` (Apollo). The token is checked first, as Apollo builds its context before it
 * parses: an unverified caller never gets a document parsed or cached. Plain Node objects: the
 * Express middleware below and the plain edge (./http-edge.ts) both call it.
 */
export function offerToFastPath(
  req: IncomingMessage, res: ScopedResponse, body: unknown, bodyBytes: number,
  limits: Limits, verifyToken: TokenVerifier, path: FastPath, next: (error?: unknown) => void,
): void {
  if (req.method !== 'POST' || !plainBody(body) || !JSON_ACCEPTS.has(req.headers.accept)) return next();
  if (bodyBytes > limits.maxBodyBytes) return next();
  const started = process.hrtime.bigint();
  // Verified at the edge (the usual case): no extra turn of the promise queue.
  const verified = verifiedViewer(res);
  (verified ? path.answer(res, body, verified, started) : verifyBearer(req, res, verifyToken).then((viewer) => (viewer ? path.answer(res, body, viewer, started) : false))).then(
    (answered) => {
      if (!answered) next();
    },
    (error: unknown) => {
      if (!res.headersSent) path.failed(error, res, next);
    },
  );
}

/**
 * The Express middleware of a fast path (see offerToFastPath). A request the plain edge already
 * offered to this path (`locals.offered`) goes on at once: it is not answered twice.
 */
export function fastPathMiddleware(limits: Limits, verifyToken: TokenVerifier, path: FastPath): RequestHandler {
  return (req, res, next) => {
    if (res.locals.offered === path) return next();
    offerToFastPath(req, res, req.body, Number(res.locals.bodyBytes ?? 0), limits, verifyToken, path, next);
  };
}
