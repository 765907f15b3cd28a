import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The stored patterns this migration seeds: [name, kind, pattern, case-sensitive]. */
export const DEFAULT_PII_PATTERNS: readonly [string, string, string, boolean][] = [
  ['account-number', 'ACCOUNT_NUMBER',
    String.raw`\b(?:account|acct|a/c|member(?:ship)?|policy|customer)\s*(?:no\.?|number|num|#|id)?\s*[:#]?\s*(?:is\s+)?([A-Z]{0,3}\d[\dA-Z-]{4,19})\b`, false],
  ['order-number', 'ACCOUNT_NUMBER',
    String.raw`\b(?:order|invoice|confirmation|booking|ticket|reservation)\s*(?:no\.?|number|num|#|id)?\s*[:#]?\s*(?:is\s+)?#?([A-Z]{0,3}\d[\dA-Z-]{4,19})\b`, false],
  ['street-address', 'POSTAL_ADDRESS',
    String.raw`\b(\d{1,6}[A-Z]?\s+(?:[A-Z][A-Za-z.'-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Circle|Cir)\b(?:,?\s*(?:Apt|Suite|Unit|#)\s*[\dA-Z-]+)?)`, true],
  ['uk-postcode', 'POSTAL_ADDRESS', String.raw`\b([A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b`, true],
];

/**
 * The brand's side of the conversation (docs/brand-side.md):
 * - brand_channels: the brand's own accounts, pages and forums, with optional business hours
 *   and SLA targets that override the channel defaults; removed ones stay (removed_at) so the
 *   interactions that reached them keep their history.
 * - channel_length_limits: the longest reply each channel takes.
 * - response_templates and their versions: the response library; a reply records the version.
 * - pii_patterns: the stored patterns for account/order numbers and postal addresses.
 * - interactions: the brand channel reached, the private data found (kind and masked value
 *   only), and the template version of a reply.
 */
export class BrandSide1795750000000 implements MigrationInterface {
  name = 'BrandSide1795750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE brand_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        handle text NOT NULL,
        name text NOT NULL,
        monitored boolean NOT NULL DEFAULT true,
        business_hours text REFERENCES care_business_hours(name) ON UPDATE CASCADE,
        sla_targets jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        removed_at timestamptz,
        removed_by text
      )`);
    await q.query(`COMMENT ON COLUMN brand_channels.sla_targets IS '[{"tier": null | "GOLD" ..., "responseMinutes": n}]: overrides care_sla_targets'`);
    await q.query(`CREATE UNIQUE INDEX brand_channels_live_key ON brand_channels (channel, handle) WHERE removed_at IS NULL`);

    await q.query(`
      CREATE TABLE channel_length_limits (
        channel text PRIMARY KEY,
        max_length integer NOT NULL CHECK (max_length > 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    const limits: Record<string, number> = { TWITTER: 280, SMS: 160, INSTAGRAM: 2200, FACEBOOK: 8000, YOUTUBE: 10000 };
    const channels = ['PHONE', 'EMAIL', 'CHAT', 'SMS', 'IN_STORE', 'LETTER', 'TWITTER', 'FACEBOOK', 'INSTAGRAM', 'YOUTUBE', 'LINKEDIN',
      'TIKTOK', 'PINTEREST', 'FORUM', 'BLOG', 'REVIEW_SITE', 'WHATSAPP', 'OTHER'];
    await q.query(
      `INSERT INTO channel_length_limits (channel, max_length, updated_by) SELECT c, m, 'migration' FROM unnest($1::text[], $2::int[]) AS t(c, m)`,
      [channels, channels.map((c) => limits[c] ?? 10000)],
    );

    await q.query(`
      CREATE TABLE response_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        category text,
        channels text[] NOT NULL DEFAULT '{}',
        take_offline boolean NOT NULL DEFAULT false,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX response_templates_name_key ON response_templates (lower(name))`);
    await q.query(`
      CREATE TABLE response_template_versions (
        template_id uuid NOT NULL REFERENCES response_templates(id),
        version integer NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (template_id, version)
      )`);

    await q.query(`
      CREATE TABLE pii_patterns (
        name text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('ACCOUNT_NUMBER','POSTAL_ADDRESS','OTHER')),
        pattern text NOT NULL,
        case_sensitive boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`COMMENT ON COLUMN pii_patterns.pattern IS 'JavaScript regular expression (unicode; case-insensitive unless case_sensitive); group 1, when present, is the value found'`);
    await q.query(
      `INSERT INTO pii_patterns (name, kind, pattern, case_sensitive, updated_by)
         SELECT n, k, p, c, 'migration' FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS t(n, k, p, c)`,
      [0, 1, 2, 3].map((n) => DEFAULT_PII_PATTERNS.map((p) => p[n])),
    );

    await q.query(`ALTER TABLE interactions
      ADD COLUMN brand_channel_id uuid REFERENCES brand_channels(id),
      ADD COLUMN pii jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN template_id uuid,
      ADD COLUMN template_version integer,
      ADD CONSTRAINT interactions_template_version_fkey FOREIGN KEY (template_id, template_version)
        REFERENCES response_template_versions(template_id, version)`);
    await q.query(`COMMENT ON COLUMN interactions.pii IS 'Private data found in a public inbound post: [{"kind": "CARD_NUMBER", "masked": "************1111"}]; never the full value'`);
    await q.query(`CREATE INDEX interactions_brand_channel_idx ON interactions (brand_channel_id, occurred_at) WHERE brand_channel_id IS NOT NULL`);
    await q.query(`CREATE INDEX interactions_template_idx ON interactions (template_id, template_version) WHERE template_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions DROP COLUMN template_version, DROP COLUMN template_id, DROP COLUMN pii, DROP COLUMN brand_channel_id`);
    await q.query(`DROP TABLE pii_patterns`);
    await q.query(`DROP TABLE response_template_versions`);
    await q.query(`DROP TABLE response_templates`);
    await q.query(`DROP TABLE channel_length_limits`);
    await q.query(`DROP TABLE brand_channels`);
  }
}
