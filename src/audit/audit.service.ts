import type { Pool } from 'pg';
import { badInput, toConnection, type Connection } from '../graphql';
import type { Logger } from '../logger';
import { DEFAULT_DENIAL_BOUND, recordBoundedDenial, type AuditEntry as NewEntry, type DenialBound } from './audit-log';
import type { AuditEntry } from './audit.types';

export interface AuditListArgs {
  first: number;
  after?: string | null;
  action?: string | null;
  subject?: string | null;
}

/** Reading the audit log, and the writes that happen outside any feature transaction. */
export class AuditService {
  /** Refused attempts answered with an audit entry, and those only counted (over the bound); read by /metrics. */
  readonly denials = { written: 0, counted: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly logger?: Logger,
    private readonly denialBound: DenialBound = DEFAULT_DENIAL_BOUND,
  ) {}

  /** Newest first, keyset-paginated on the id (entries only ever get appended). */
  async list(args: AuditListArgs): Promise<Connection<AuditEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (args.action) {
      params.push(args.action);
      where.push(`action = $${params.length}`);
    }
    if (args.subject) {
      params.push(args.subject);
      where.push(`subject = $${params.length}`);
    }
    const filterSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const filterParams = [...params];
    const after = decodeAuditCursor(args.after);
    if (after) {
      params.push(after);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(args.first + 1);
    const { rows } = await this.pool.query<AuditEntry>(
      `SELECT id::text, at, actor, actor_roles AS "actorRoles", action, subject, request_id AS "requestId", details
         FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, args.first, (e) => encodeAuditCursor(e.id), async () => {
      const { rows: counted } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${filterSql}`, filterParams);
      return counted[0].n;
    });
  }

  /**
   * A refused attempt, written on its own (the request writes nothing else), within the bound
   * per token subject and window (a token hammering refused fields would otherwise write
   * without limit); past it the attempt is counted, not lost. A failure to write is logged,
   * not raised: the caller still gets its FORBIDDEN.
   */
  async recordDenied(entry: Omit<NewEntry, 'action'>): Promise<void> {
    try {
      if (await recordBoundedDenial(this.pool, entry, this.denialBound)) this.denials.written++;
      else this.denials.counted++;
    } catch (error) {
      this.logger?.error({ err: error, subject: entry.subject }, 'could not write an ACCESS_DENIED audit entry');
    }
  }
}

// Entries are ordered by their bigserial id alone, so the cursor is that id (not the shared (time, uuid) keyset).
const encodeAuditCursor = (id: string) => Buffer.from(`audit:${id}`).toString('base64url');

function decodeAuditCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined) return null;
  const match = /^audit:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('after', 'after is not a cursor returned by auditLog');
  return match[1];
}
