import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';

/**
 * Trusted documents (persisted operations known at build time): a manifest of operation hash ->
 * document, in either format the client tooling writes:
 * - Apollo's `persisted-query-manifest.json` (`@apollo/generate-persisted-query-manifest`):
 *   `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "body", ... }] }`
 * - GraphQL Codegen's client preset `persisted-documents.json`: `{ "<hash>": "<document>" }`.
 * Usage: `const trusted = loadTrustedDocuments(process.env.TRUSTED_DOCUMENTS)`
 */
export interface TrustedDocuments {
  /** The document of a hash (`sha256:` prefix allowed), or undefined. */
  byHash(hash: string): string | undefined;
  /** Whether this exact document text is listed (a client that sends the text, not the hash). */
  listsText(query: string): boolean;
  readonly size: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads a manifest; throws with one readable line when the file cannot be one. */
export function loadTrustedDocuments(file: string): TrustedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const byHash = new Map<string, string>();
  const manifest = parsed as { format?: string; operations?: { id?: unknown; body?: unknown }[] };
  if (manifest && manifest.format === 'apollo-persisted-query-manifest' && Array.isArray(manifest.operations)) {
    for (const op of manifest.operations) {
      if (typeof op.id !== 'string' || typeof op.body !== 'string') throw new Error(`TRUSTED_DOCUMENTS ${file}: every operation needs a string id and body`);
      byHash.set(op.id.toLowerCase(), op.body);
    }
  } else if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [hash, body] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof body !== 'string') throw new Error(`TRUSTED_DOCUMENTS ${file}: the value of ${hash} is not a document`);
      byHash.set(hash.replace(/^sha256:/i, '').toLowerCase(), body);
    }
  } else {
    throw new Error(`TRUSTED_DOCUMENTS ${file}: neither an Apollo persisted query manifest nor a { hash: document } map`);
  }
  if (byHash.size === 0) throw new Error(`TRUSTED_DOCUMENTS ${file}: no operations`);
  // A client may send the text instead of the id: matched by its SHA-256, whatever the manifest's ids are.
  const texts = new Set([...byHash.values()].map(sha256));
  return {
    byHash: (hash) => byHash.get(hash.replace(/^sha256:/i, '').toLowerCase()),
    listsText: (query) => texts.has(sha256(query)),
    size: byHash.size,
  };
}

/** The code of a refused operation: Apollo Router's name for the same refusal. */
export const NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';

/**
 * After the JSON body is parsed: a request that names its document by hash (`documentId`, the
 * GraphQL over HTTP draft and GraphQL Codegen; or `extensions.persistedQuery.sha256Hash`, Apollo
 * Client's persisted query link) gets the listed document as its `query`. With `enforce` (production)
 * nothing else runs: an unknown hash, or a text that is not listed, is refused with
 * PERSISTED_QUERY_NOT_IN_LIST (HTTP 400) before it is parsed. Without it (development) other
 * documents still run, for the IDE.
 */
export function trustedDocumentsMiddleware(trusted: TrustedDocuments, options: { enforce: boolean }): RequestHandler {
  const refuse = (res: Parameters<RequestHandler>[1], message: string) =>
    void res.status(400).json({ errors: [{ message, extensions: { code: NOT_IN_LIST, requestId: res.locals.requestId } }] });
  const rule = trustedDocumentRule(trusted, options);
  return (req, res, next) => {
    if (req.method === 'GET') {
      const query = typeof req.query.query === 'string' ? req.query.query : undefined;
      if (options.enforce && (query === undefined || !trusted.listsText(query))) return refuse(res, 'only trusted documents run here: send the operation by its hash (POST)');
      return next();
    }
    const refusal = rule(req.body);
    if (refusal !== null) return refuse(res, refusal);
    next();
  };
}

/**
 * The rule of trustedDocumentsMiddleware for a parsed POST body: the listed document put in its
 * `query` (the body changed in place), or the message of its refusal (nothing changed); null: go
 * on. Applying it again to a body it changed changes nothing. The plain edge
 * (fast-paths/http-edge.ts) applies it before its fast path; a refusal it leaves to the middleware.
 */
export function trustedDocumentRule(trusted: TrustedDocuments, options: { enforce: boolean }): (body: unknown) => string | null {
  return (raw) => {
    const body = raw as { query?: unknown; documentId?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } } | undefined;
    if (!body || typeof body !== 'object') return null;
    const hash = typeof body.documentId === 'string' ? body.documentId : body.extensions?.persistedQuery?.sha256Hash;
    if (typeof hash === 'string') {
      const document = trusted.byHash(hash);
      if (document === undefined) {
        // Not listed: in development Apollo's automatic persisted queries may still know it.
        return options.enforce ? 'this document hash is not in the trusted documents' : null;
      }
      body.query = document;
      delete body.documentId;
      // The manifest's hash may not be Apollo's (SHA-256 of the text): Apollo must not check it again.
      if (body.extensions) delete body.extensions.persistedQuery;
      return null;
    }
    if (options.enforce && (typeof body.query !== 'string' || !trusted.listsText(body.query))) {
      return 'only trusted documents run here: this operation is not in the list';
    }
    return null;
  };
}
