import type { DataSource, EntityManager } from 'typeorm';
import type { Pool } from 'pg';
import { survivorJoin } from '../../customers';
import { DomainError, badInput, checkId } from '../../graphql';
import type { Channel, InteractionCategory } from '../../graphql';
import { withRetry } from '../../db';
import { caseNumberOf, render, replyLength, unknownPlaceholders, type PlaceholderValues } from './response-template.render';
import type { ChannelLengthLimit, ResponseSuggestion, ResponseTemplate, ResponseTemplateInput } from './response-template.types';

/** Longest reply or template text anywhere (a channel without a stored limit takes this). */
export const MAX_TEMPLATE_TEXT = 10_000;
const MAX_LIMIT = 100_000;

/** Columns of a ResponseTemplate (template t, its current version v). */
const TEMPLATE_COLUMNS = `t.id, t.name, t.category, t.channels, v.text, t.version, t.take_offline AS "takeOffline", t.updated_at AS "updatedAt"`;
const TEMPLATE_FROM = `response_templates t JOIN response_template_versions v ON v.template_id = t.id AND v.version = t.version`;

/** Handles are shown with @ where the platform writes them so. */
const AT_PLATFORMS = new Set(['TWITTER', 'INSTAGRAM', 'TIKTOK', 'PINTEREST']);

/** PostgreSQL error code and constraint of a failed statement, if any. */
function pgError(error: unknown): { code?: string; constraint?: string } {
  return typeof error === 'object' && error !== null ? (error as { code?: string; constraint?: string }) : {};
}

/**
 * What a reply on `channel` must respect, in one statement: the channel's length limit, and
 * (with a template) the version it came from: the named one, else the template's current one.
 * BAD_USER_INPUT for an unknown template or version.
 */
export async function replyRules(
  m: EntityManager, channel: Channel, template: { id: string; version: number | null } | null,
): Promise<{ maxLength: number; templateVersion: number | null }> {
  const [row]: { maxLength: number | null; version: number | null; known: boolean }[] = await m.query(
    `SELECT (SELECT max_length FROM channel_length_limits WHERE channel = $1) AS "maxLength",
            (SELECT v.version FROM response_templates t JOIN response_template_versions v ON v.template_id = t.id
              WHERE t.id = $2 AND v.version = coalesce($3, t.version)) AS version,
            EXISTS (SELECT 1 FROM response_templates WHERE id = $2) AS known`,
    [channel, template?.id ?? null, template?.version ?? null],
  );
  if (template && !row.known) throw badInput('templateId', `no response template with id ${template.id}`);
  if (template && row.version === null) throw badInput('templateVersion', `response template ${template.id} has no version ${template.version}`);
  return { maxLength: row.maxLength ?? MAX_TEMPLATE_TEXT, templateVersion: row.version };
}

/**
 * The stored reply length limit of each channel (`setChannelLengthLimit`), in characters as
 * replyLength counts them; a channel without a row takes MAX_TEMPLATE_TEXT. One statement.
 */
export async function lengthLimits(m: EntityManager, channels: readonly Channel[]): Promise<Map<Channel, number>> {
  const rows: { channel: Channel; maxLength: number }[] = await m.query(
    `SELECT channel, max_length AS "maxLength" FROM channel_length_limits WHERE channel = ANY($1::text[])`, [[...new Set(channels)]]);
  const stored = new Map(rows.map((r) => [r.channel, r.maxLength]));
  return new Map(channels.map((c) => [c, stored.get(c) ?? MAX_TEMPLATE_TEXT]));
}

/**
 * The response library: approved replies per category and channel, with placeholders,
 * versioned; each channel's length limit; and the suggestions for one interaction.
 */
export class ResponseTemplateService {
  constructor(private readonly dataSource: DataSource, private readonly pool: Pool) {}

  async list(category: InteractionCategory | null, channel: Channel | null): Promise<ResponseTemplate[]> {
    const { rows } = await this.pool.query<ResponseTemplate>(
      `SELECT ${TEMPLATE_COLUMNS} FROM ${TEMPLATE_FROM}
        WHERE ($1::text IS NULL OR t.category IS NULL OR t.category = $1)
          AND ($2::text IS NULL OR cardinality(t.channels) = 0 OR $2 = ANY(t.channels))
        ORDER BY lower(t.name)`,
      [category, channel],
    );
    return rows;
  }

  /** Creates a template, or saves a new version of one (a new version only when the text changes). */
  async save(input: ResponseTemplateInput, by: string): Promise<ResponseTemplate> {
    const id = input.id == null ? null : checkId(input.id, 'id');
    const name = input.name.trim();
    if (name === '' || name.length > 200) throw badInput('name', 'name must be 1-200 characters');
    const text = input.text.trim();
    if (text === '' || text.length > MAX_TEMPLATE_TEXT) throw badInput('text', `text must be 1-${MAX_TEMPLATE_TEXT} characters`);
    const unknown = unknownPlaceholders(text);
    if (unknown.length > 0) {
      throw new DomainError('BAD_USER_INPUT', `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `{${p}}`).join(', ')}`, {
        field: 'text', placeholders: unknown,
      });
    }
    const channels = [...new Set(input.channels ?? [])];
    try {
      return await withRetry(() => this.dataSource.transaction(async (m) => {
        let templateId: string;
        if (id === null) {
          const [created]: { id: string }[] = await m.query(
            `INSERT INTO response_templates (name, category, channels, take_offline, version, updated_by) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id`,
            [name, input.category ?? null, channels, input.takeOffline, by],
          );
          templateId = created.id;
          await m.query(`INSERT INTO response_template_versions (template_id, version, text, created_by) VALUES ($1, 1, $2, $3)`, [templateId, text, by]);
        } else {
          const [current]: { version: number; text: string }[] = await m.query(
            `SELECT t.version, v.text FROM ${TEMPLATE_FROM} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
          if (!current) throw new DomainError('NOT_FOUND', `no response template with id ${id}`, { field: 'id' });
          const version = current.text === text ? current.version : current.version + 1;
          if (version !== current.version) {
            await m.query(`INSERT INTO response_template_versions (template_id, version, text, created_by) VALUES ($1, $2, $3, $4)`, [id, version, text, by]);
          }
          await m.query(
            `UPDATE response_templates SET name = $2, category = $3, channels = $4, take_offline = $5, version = $6, updated_by = $7, updated_at = now()
              WHERE id = $1`,
            [id, name, input.category ?? null, channels, input.takeOffline, version, by],
          );
          templateId = id;
        }
        const [saved]: ResponseTemplate[] = await m.query(`SELECT ${TEMPLATE_COLUMNS} FROM ${TEMPLATE_FROM} WHERE t.id = $1`, [templateId]);
        return saved;
      }));
    } catch (error) {
      const { code, constraint } = pgError(error);
      if (code === '23505' && constraint === 'response_templates_name_key') {
        throw new DomainError('CONFLICT', `a response template named "${name}" exists already`, { field: 'name' });
      }
      throw error;
    }
  }

  async limits(): Promise<ChannelLengthLimit[]> {
    const { rows } = await this.pool.query<ChannelLengthLimit>(
      `SELECT channel, max_length AS "maxLength" FROM channel_length_limits ORDER BY channel`);
    return rows;
  }

  async setLimit(channel: Channel, maxLength: number, by: string): Promise<ChannelLengthLimit> {
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_LIMIT) {
      throw badInput('maxLength', `maxLength must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    await this.pool.query(
      `INSERT INTO channel_length_limits (channel, max_length, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (channel) DO UPDATE SET max_length = excluded.max_length, updated_by = excluded.updated_by, updated_at = now()`,
      [channel, maxLength, by],
    );
    return { channel, maxLength };
  }

  /**
   * The templates that fit an interaction (its category, the channel a reply goes to: the
   * conversation's current one), rendered for its customer, with length, limit and fits.
   * A post with private data: the "take offline" templates first (else last); then the more
   * specific ones (a category, then channels named) before the general ones.
   */
  async suggestions(interactionId: string, agentName: string): Promise<ResponseSuggestion[]> {
    const id = checkId(interactionId, 'interactionId');
    const { rows: [target] } = await this.pool.query<{
      category: InteractionCategory; replyChannel: Channel; pii: unknown[]; displayName: string; erased: boolean;
      platform: string | null; handle: string | null; brandName: string | null; brandHandle: string | null; maxLength: number | null;
    }>(
      `SELECT i.category, v.current_channel AS "replyChannel", i.pii, c.display_name AS "displayName", c.erased_at IS NOT NULL AS erased,
              si.platform, si.handle, b.name AS "brandName", b.handle AS "brandHandle",
              (SELECT max_length FROM channel_length_limits WHERE channel = v.current_channel) AS "maxLength"
         FROM interactions i
         JOIN conversations v ON v.id = i.conversation_id
         JOIN ${survivorJoin('k', 'c')} ON k.id = i.customer_id
         LEFT JOIN social_identities si ON si.id = i.social_identity_id
         LEFT JOIN brand_channels b ON b.id = i.brand_channel_id
        WHERE i.id = $1`,
      [id],
    );
    if (!target) throw new DomainError('NOT_FOUND', `no interaction with id ${id}`, { field: 'interactionId' });
    const offlineFirst = target.pii.length > 0;
    const { rows: templates } = await this.pool.query<ResponseTemplate>(
      `SELECT ${TEMPLATE_COLUMNS} FROM ${TEMPLATE_FROM}
        WHERE (cardinality(t.channels) = 0 OR $1 = ANY(t.channels))
          AND (t.take_offline OR t.category IS NULL OR t.category = $2)
        ORDER BY t.take_offline <> $3, t.category IS NULL, cardinality(t.channels) = 0, lower(t.name)`,
      [target.replyChannel, target.category, offlineFirst],
    );
    const names = target.erased ? [] : target.displayName.trim().split(/\s+/).filter(Boolean);
    const values: PlaceholderValues = {
      firstName: names[0] ?? 'there',
      lastName: names.length > 1 ? names[names.length - 1] : '',
      fullName: names.join(' ') || 'there',
      handle: target.handle && !target.erased ? `${AT_PLATFORMS.has(target.platform ?? '') ? '@' : ''}${target.handle}` : '',
      agentName,
      caseNumber: caseNumberOf(id),
      brandName: target.brandName ?? '',
      brandHandle: target.brandHandle ?? '',
    };
    const maxLength = target.maxLength ?? MAX_TEMPLATE_TEXT;
    return templates.map((template) => {
      const text = render(template.text, values);
      const length = replyLength(text);
      return { template, text, length, maxLength, fits: length <= maxLength };
    });
  }
}
