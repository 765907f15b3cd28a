import type { Pool } from 'pg';
import { DomainError, Platform } from '../graphql';
import { survivorJoin, checkCustomerId } from '../customers';

/** The most candidates one answer lists. */
const MAX_CANDIDATES = 20;

/** How strongly each kind of evidence suggests the same person (a suggestion, never a decision). */
export const EVIDENCE_WEIGHT = {
  phoneIsWhatsApp: 4,
  namePlace: 3,
  handleIsLocalPart: 3,
  nameRegion: 2,
  handleOtherPlatform: 2,
  localPartOtherDomain: 1,
  nameIsHandle: 1,
} as const;

export interface CandidateEvidence {
  customerId: string;
  score: number;
  evidence: string[];
}

interface Subject {
  id: string;
  name_key: string;
  city: string | null;
  region: string | null;
  emails: string[];
  phones: string[];
  handles: { platform: string; handle: string }[];
}

/** Email local part without dots and +tag: chad.m.schaeffer+shop@x -> chadmschaeffer (same expression as the index). */
const localKey = (email: string) => email.split('@')[0].split('+')[0].replace(/\./g, '');
const same = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * duplicateCandidates: customers who may be the same person, each with readable evidence,
 * best first. Name matching alone is not identity, so a name counts only with a place.
 */
export class DuplicateCandidateService {
  constructor(private readonly pool: Pool) {}

  async find(customerId: string): Promise<CandidateEvidence[]> {
    checkCustomerId(customerId, 'customerId');
    const subject = await this.subject(customerId);
    const found = new Map<string, { weight: number; text: string }[]>();
    const add = (id: string, weight: number, text: string) => {
      if (id === subject.id) return;
      const list = found.get(id) ?? [];
      if (!list.some((e) => e.text === text)) list.push({ weight, text });
      found.set(id, list);
    };

    if (subject.name_key && (subject.city || subject.region)) {
      const { rows } = await this.pool.query<{ id: string; city: string | null; region: string | null }>(
        `SELECT id, city, region FROM customers
          WHERE name_key = $1 AND id <> $2 AND merged_into IS NULL AND erased_at IS NULL
            AND (lower(region) = lower($3) OR lower(city) = lower($4))`,
        [subject.name_key, subject.id, subject.region, subject.city],
      );
      for (const c of rows) {
        if (same(c.city, subject.city) && (same(c.region, subject.region) || !c.region || !subject.region)) {
          add(c.id, EVIDENCE_WEIGHT.namePlace, `same name "${subject.name_key}" and same place (${[c.city, c.region].filter(Boolean).join(', ')})`);
        } else if (same(c.region, subject.region)) {
          add(c.id, EVIDENCE_WEIGHT.nameRegion, `same name "${subject.name_key}" in the same region (${c.region}), different city (${c.city ?? 'unknown'} / ${subject.city ?? 'unknown'})`);
        }
      }
    }

    const handles = subject.handles.map((h) => h.handle);
    const localKeys = [...new Set(subject.emails.map(localKey))];
    const nameAsHandle = subject.name_key.replace(/ /g, '');
    const whatsApp = subject.handles.filter((h) => h.platform === Platform.WHATSAPP).map((h) => h.handle);
    const { rows } = await this.pool.query<{ customerId: string; source: string; platform: string | null; value: string; key: string }>(
      `SELECT customer_id AS "customerId", 'EMAIL' AS source, NULL AS platform, value,
              replace(split_part(split_part(value, '@', 1), '+', 1), '.', '') AS key
         FROM contact_points
        WHERE kind = 'EMAIL' AND replace(split_part(split_part(value, '@', 1), '+', 1), '.', '') = ANY($1::text[])
       UNION ALL
       SELECT customer_id, 'HANDLE', platform, handle, handle FROM social_identities
        WHERE platform = ANY($2::text[]) AND handle = ANY($3::text[])
       UNION ALL
       SELECT customer_id, 'PHONE', NULL, value, value FROM contact_points WHERE kind = 'PHONE' AND value = ANY($4::text[])`,
      [
        [...new Set([...handles.map((h) => h.replace(/\./g, '')), ...localKeys])],
        Object.values(Platform),
        [...new Set([...handles, ...localKeys, ...subject.phones, ...(nameAsHandle ? [nameAsHandle] : [])])],
        whatsApp,
      ],
    );
    for (const r of rows) {
      if (r.source === 'EMAIL') {
        for (const h of subject.handles.filter((h) => h.handle.replace(/\./g, '') === r.key)) {
          add(r.customerId, EVIDENCE_WEIGHT.handleIsLocalPart, `handle ${h.platform} @${h.handle} matches the email ${r.value}`);
        }
        for (const e of subject.emails.filter((e) => localKey(e) === r.key && e !== r.value)) {
          add(r.customerId, EVIDENCE_WEIGHT.localPartOtherDomain, `email ${r.value} has the same local part as ${e}`);
        }
      } else if (r.source === 'HANDLE') {
        if (r.platform === Platform.WHATSAPP && subject.phones.includes(r.value)) {
          add(r.customerId, EVIDENCE_WEIGHT.phoneIsWhatsApp, `phone ${r.value} is their WhatsApp number`);
        }
        for (const e of subject.emails.filter((e) => localKey(e) === r.value)) {
          add(r.customerId, EVIDENCE_WEIGHT.handleIsLocalPart, `their handle ${r.platform} @${r.value} matches the email ${e}`);
        }
        if (subject.handles.some((h) => h.handle === r.value && h.platform !== r.platform)) {
          add(r.customerId, EVIDENCE_WEIGHT.handleOtherPlatform, `same handle @${r.value} on ${r.platform}`);
        }
        if (r.value === nameAsHandle) add(r.customerId, EVIDENCE_WEIGHT.nameIsHandle, `their handle ${r.platform} @${r.value} spells the name "${subject.name_key}"`);
      } else {
        add(r.customerId, EVIDENCE_WEIGHT.phoneIsWhatsApp, `WhatsApp number ${r.value} is their phone`);
      }
    }

    const live = await this.liveIds([...found.keys()]);
    return [...found.entries()]
      .filter(([id]) => live.has(id))
      .map(([id, list]) => {
        list.sort((a, b) => b.weight - a.weight || a.text.localeCompare(b.text));
        return { customerId: id, score: list.reduce((s, e) => s + e.weight, 0), evidence: list.map((e) => e.text) };
      })
      .sort((a, b) => b.score - a.score || a.customerId.localeCompare(b.customerId))
      .slice(0, MAX_CANDIDATES);
  }

  /** The customer (the survivor, for a merged id) with its identifiers. */
  private async subject(customerId: string): Promise<Subject> {
    const { rows } = await this.pool.query<Subject>(
      `SELECT c.id, c.name_key, c.city, c.region,
              coalesce((SELECT array_agg(value ORDER BY value) FROM contact_points WHERE customer_id = c.id AND kind = 'EMAIL'), '{}') AS emails,
              coalesce((SELECT array_agg(value ORDER BY value) FROM contact_points WHERE customer_id = c.id AND kind = 'PHONE'), '{}') AS phones,
              coalesce((SELECT json_agg(json_build_object('platform', platform, 'handle', handle)) FROM social_identities WHERE customer_id = c.id), '[]') AS handles
         FROM ${survivorJoin('k', 'c')}
        WHERE k.id = $1`,
      [customerId],
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `customer ${customerId} does not exist`, { field: 'customerId' });
    return rows[0];
  }

  private async liveIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM customers WHERE id = ANY($1::uuid[]) AND merged_into IS NULL AND erased_at IS NULL`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }
}
