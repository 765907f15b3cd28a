import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ACCESS_DENIED audit entries are bounded per token subject and window (src/audit/audit-log.ts,
 * recordBoundedDenial): a token that hammers refused fields writes at most a few entries per
 * minute, and every attempt is counted here, so none is lost from the record.
 * audit_denial_windows: one row per subject and one-minute window with refusals; `attempts`
 * counts them all, the audit log holds the first ones (docs/security-and-operations.md).
 */
export class AccessDeniedWindows1795850000000 implements MigrationInterface {
  name = 'AccessDeniedWindows1795850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_denial_windows (
        actor text NOT NULL,
        window_start timestamptz NOT NULL,
        attempts integer NOT NULL CHECK (attempts > 0),
        PRIMARY KEY (actor, window_start)
      )`);
    await q.query(`COMMENT ON TABLE audit_denial_windows IS 'Refused attempts (ACCESS_DENIED) per token subject and window: all are counted here, the first few per window are also audit_log entries'`);
    await q.query(`COMMENT ON COLUMN audit_denial_windows.actor IS 'The token subject (sub), as audit_log.actor'`);
    await q.query(`COMMENT ON COLUMN audit_denial_windows.attempts IS 'Every refused attempt of the subject in the window, written to audit_log or not'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_denial_windows`);
  }
}
