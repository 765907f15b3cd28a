import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addBusinessMinutes } from '../src/care/rules/business-hours';
import { BUSINESS_SECONDS_FUNCTION } from '../src/care/rules/business-seconds.sql';

/**
 * Escalations someone owns by a deadline (issue 26): a per-team response target (a table with
 * the defaults RETENTION 1 h, PR_CRISIS 30 min, the others 4 h, in the office calendar), an
 * owner and acknowledgement time, a due time, and `breach_notified_at` on escalations and
 * interactions so the SLA sweep emits SLA_BREACHED once per item whatever runs it. Existing
 * escalations get their due time from their team's target; items already past due count as
 * notified (no flood of old breaches on the first sweep). care_business_seconds measures
 * response times for the SLA report.
 */
export class EscalationWorklists1796100000000 implements MigrationInterface {
  name = 'EscalationWorklists1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE care_escalation_targets (
        team text PRIMARY KEY CHECK (team IN ('RETENTION','PR_CRISIS','TECHNICAL','LEGAL','SUPERVISOR')),
        response_minutes integer NOT NULL CHECK (response_minutes > 0),
        business_hours text NOT NULL REFERENCES care_business_hours(name) ON UPDATE CASCADE,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    // 'office' is created by CareWorkflow; a database whose office calendar was renamed falls back to 24x7.
    await q.query(
      `INSERT INTO care_escalation_targets (team, response_minutes, business_hours, updated_by)
       SELECT t, m, CASE WHEN EXISTS (SELECT 1 FROM care_business_hours WHERE name = 'office') THEN 'office' ELSE 'always' END, 'migration'
         FROM unnest($1::text[], $2::int[]) AS d(t, m)`,
      [['RETENTION', 'PR_CRISIS', 'TECHNICAL', 'LEGAL', 'SUPERVISOR'], [60, 30, 240, 240, 240]],
    );
    await q.query(`ALTER TABLE escalations ADD COLUMN owner text, ADD COLUMN acknowledged_at timestamptz,
      ADD COLUMN due_at timestamptz, ADD COLUMN breach_notified_at timestamptz`);
    await q.query(`ALTER TABLE interactions ADD COLUMN breach_notified_at timestamptz`);

    const rows: { id: string; created_at: Date; minutes: number; time_zone: string; weekly: { day: number; opens: string; closes: string }[] | null }[] =
      await q.query(
        `SELECT e.id, e.created_at, t.response_minutes AS minutes, h.time_zone, h.weekly
           FROM escalations e JOIN care_escalation_targets t ON t.team = e.team JOIN care_business_hours h ON h.name = t.business_hours`);
    for (let k = 0; k < rows.length; k += 5_000) {
      const batch = rows.slice(k, k + 5_000);
      await q.query(
        `UPDATE escalations e SET due_at = b.due FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, due) WHERE e.id = b.id`,
        [batch.map((r) => r.id), batch.map((r) => addBusinessMinutes(new Date(r.created_at), r.minutes, { timeZone: r.time_zone, weekly: r.weekly }))],
      );
    }
    await q.query(`UPDATE escalations SET breach_notified_at = now()
                    WHERE due_at <= now() AND acknowledged_at IS NULL AND resolved_at IS NULL`);
    await q.query(`UPDATE interactions SET breach_notified_at = now()
                    WHERE sla_due_at <= now() AND responded_at IS NULL AND resolved_at IS NULL`);

    // A team's worklist in due order; the sweep reads only what may still breach.
    await q.query(`CREATE INDEX escalations_worklist_idx ON escalations (team, due_at, id)`);
    await q.query(`CREATE INDEX escalations_breach_due_idx ON escalations (due_at)
                    WHERE breach_notified_at IS NULL AND acknowledged_at IS NULL AND resolved_at IS NULL`);
    await q.query(`CREATE INDEX interactions_breach_due_idx ON interactions (sla_due_at)
                    WHERE breach_notified_at IS NULL AND responded_at IS NULL AND resolved_at IS NULL AND sla_due_at IS NOT NULL AND actionable`);
    await q.query(BUSINESS_SECONDS_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION care_business_seconds(timestamptz, timestamptz, text, jsonb)`);
    await q.query(`DROP INDEX interactions_breach_due_idx`);
    await q.query(`DROP INDEX escalations_breach_due_idx`);
    await q.query(`DROP INDEX escalations_worklist_idx`);
    await q.query(`ALTER TABLE interactions DROP COLUMN breach_notified_at`);
    await q.query(`ALTER TABLE escalations DROP COLUMN owner, DROP COLUMN acknowledged_at, DROP COLUMN due_at, DROP COLUMN breach_notified_at`);
    await q.query(`DROP TABLE care_escalation_targets`);
  }
}
