/** Which PostgreSQL server a snapshot was read from, stated in what it produced (exports). */
export interface ServerIdentity {
  /** `primary`, or `replica` for a hot standby. */
  role: 'primary' | 'replica';
  /** host:port/database as the server itself reports it (inet_server_addr; `local` over a socket). */
  server: string;
  /** The WAL position the snapshot includes: the primary's current one, or the standby's replayed one. */
  lsn: string | null;
}

/** One statement; run it inside the snapshot's transaction so it describes that snapshot. */
export const SERVER_IDENTITY_SQL = `
  SELECT pg_is_in_recovery() AS standby,
         coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port()::text, '') || '/' || current_database() AS server,
         (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`;

export function toServerIdentity(row: { standby: boolean; server: string; lsn: string | null }): ServerIdentity {
  return { role: row.standby ? 'replica' : 'primary', server: row.server, lsn: row.lsn };
}
