import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation Record($input: TouchpointInput!) {
  recordTouchpoint(input: $input) {
    id displayName city region attributes
    emails { value capturedVia consents { purpose status } }
    phones { value }
    socialIdentities { platform handle followerCount capturedVia consents { purpose status source } }
    touchpointHistory(first: 10) { totalCount edges { node { touchpoint recordedBy createdCustomer emails phones handles { platform handle } matchedIdentifiers newIdentifiers consentsRecorded attributeKeys } } }
  }
}`;

const LOOKUP = `query Lookup($email: String, $phone: String, $region: String, $platform: Platform, $handle: String) {
  lookupCustomer(email: $email, phone: $phone, region: $region, platform: $platform, handle: $handle) { id }
}`;

const CANDIDATES = `query Candidates($id: ID!) { duplicateCandidates(customerId: $id) { customer { id displayName } evidence score } }`;

/** A US number in a national format that no other test file uses. */
const phoneNumber = () => {
  const d = uniqueLocalDigits();
  return `(313) ${d.slice(0, 3)}-${d.slice(3)}`;
};

const RECORD_ID_ONLY = `mutation Record($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;

async function record(input: Record<string, unknown>, roles: string[] = ['agent']) {
  // Ingest may not read a customer's identifiers back (docs/security-and-operations.md): it asks for the id only.
  return app.gql(roles.includes('ingest') ? RECORD_ID_ONLY : RECORD, { input }, roles as never);
}

async function rowCount(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params);
  return rows[0].n;
}

describe('recordTouchpoint and lookup: the Chad Schaeffer story', () => {
  it('links a later social DM that gives the same email to the loyalty customer, and any raw form finds that one customer', async () => {
    const u = unique();
    const email = `chadmschaeffer.${u}@gmail.com`;
    const phone = phoneNumber();
    const handle = `ChadS${u}`;

    const signup = await record({
      touchpoint: 'LOYALTY_SIGNUP', name: 'Chad Schaeffer', city: 'Plymouth', region: 'MI', country: 'US',
      emails: [` ChadMSchaeffer.${u}@Gmail.com `], phones: [{ number: phone, region: 'US' }],
      consents: [{ purpose: 'SERVICE', status: 'GRANTED', wording: 'We may contact you about your account', wordingVersion: 'v3' }],
      attributes: { loyaltyId: `L-${u}`, loyaltyPoints: 120, lifetimeValue: { amount: 1234.5, currency: 'USD' } },
    });
    expect(signup.errors).toBeUndefined();
    const customer = signup.data!.recordTouchpoint;
    expect(customer).toMatchObject({ displayName: 'Chad Schaeffer', city: 'Plymouth', region: 'MI' });
    expect(customer.emails).toEqual([
      { value: email, capturedVia: 'LOYALTY_SIGNUP', consents: expect.arrayContaining([{ purpose: 'SERVICE', status: 'GRANTED' }]) },
    ]);
    expect(customer.phones[0].value).toMatch(/^\+1313\d{7}$/);
    expect(customer.attributes).toEqual({ loyaltyId: `L-${u}`, loyaltyPoints: 120, lifetimeValue: { amount: 1234.5, currency: 'USD' } });

    const dm = await record({
      touchpoint: 'SOCIAL_MESSAGE',
      handles: [{ platform: 'TWITTER', handle: `@${handle}`, followerCount: 850 }],
      emails: [email.toUpperCase()],
      consents: [{ purpose: 'MARKETING', status: 'GRANTED', identifier: { platform: 'TWITTER', handle: `https://twitter.com/${handle}` } }],
    });
    expect(dm.errors).toBeUndefined();
    const linked = dm.data!.recordTouchpoint;
    expect(linked.id).toBe(customer.id);
    expect(linked.socialIdentities).toEqual([
      {
        platform: 'TWITTER', handle: handle.toLowerCase(), followerCount: 850, capturedVia: 'SOCIAL_MESSAGE',
        consents: expect.arrayContaining([{ purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' }]),
      },
    ]);
    const history = linked.touchpointHistory;
    expect(history.totalCount).toBe(2);
    expect(history.edges.map((e: any) => e.node)).toEqual([
      {
        touchpoint: 'SOCIAL_MESSAGE', recordedBy: 'test-user', createdCustomer: false, emails: [email], phones: [],
        handles: [{ platform: 'TWITTER', handle: handle.toLowerCase() }], matchedIdentifiers: 1, newIdentifiers: 1, consentsRecorded: 1, attributeKeys: [],
      },
      {
        touchpoint: 'LOYALTY_SIGNUP', recordedBy: 'test-user', createdCustomer: true, emails: [email], phones: [customer.phones[0].value],
        handles: [], matchedIdentifiers: 0, newIdentifiers: 2, consentsRecorded: 2, attributeKeys: ['lifetimeValue', 'loyaltyId', 'loyaltyPoints'],
      },
    ]);

    const forms = [
      { platform: 'TWITTER', handle: `@${handle}` },
      { platform: 'TWITTER', handle: `https://twitter.com/${handle}` },
      { platform: 'TWITTER', handle: `https://x.com/${handle.toUpperCase()}` },
      { phone, region: 'US' },
      { email: ` ChadMSchaeffer.${u}@Gmail.com ` },
    ];
    for (const form of forms) {
      const found = await app.gql(LOOKUP, form, ['viewer']);
      expect(found.errors).toBeUndefined();
      expect(found.data!.lookupCustomer).toEqual({ id: customer.id });
    }
    const { rows } = await app.pool.query(`SELECT wording_version FROM consent_events WHERE customer_id = $1 AND purpose = 'SERVICE'`, [customer.id]);
    expect(rows.map((r) => r.wording_version)).toEqual(['v3', 'v3']);
  });

  it('keeps three namesakes in South Dakota apart and suggests them to each other with evidence, same city first', async () => {
    const u = unique();
    const make = async (city: string, n: number) => {
      const res = await record({ touchpoint: 'IN_STORE', name: 'Chad  Schaeffer', city, region: 'SD', emails: [`chad${n}.${u}@example.com`] });
      expect(res.errors).toBeUndefined();
      return res.data!.recordTouchpoint.id as string;
    };
    const a = await make('Sioux Falls', 1);
    const b = await make('Sioux Falls', 2);
    const c = await make('Rapid City', 3);
    expect(new Set([a, b, c]).size).toBe(3);

    const res = await app.gql(CANDIDATES, { id: a }, ['viewer']);
    expect(res.errors).toBeUndefined();
    const mine = res.data!.duplicateCandidates.filter((x: any) => [b, c].includes(x.customer.id));
    expect(mine.map((x: any) => x.customer.id)).toEqual([b, c]);
    expect(mine[0].evidence).toEqual(['same name "chad schaeffer" and same place (Sioux Falls, SD)']);
    expect(mine[1].evidence).toEqual(['same name "chad schaeffer" in the same region (SD), different city (Rapid City / Sioux Falls)']);
    expect(mine[0].score).toBeGreaterThan(mine[1].score);
    const stillThree = await rowCount(`SELECT id FROM customers WHERE id = ANY($1::uuid[]) AND merged_into IS NULL`, [[a, b, c]]);
    expect(stillThree).toBe(3);
  });

  it('suggests a customer whose handle equals the local part of an email, or whose WhatsApp number is the phone', async () => {
    const u = unique();
    const phone = phoneNumber();
    const withEmail = await record({ touchpoint: 'ONLINE_PURCHASE', emails: [`pat.doe${u}+shop@example.com`], phones: [{ number: phone }] });
    const withHandle = await record({ touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'INSTAGRAM', handle: `patdoe${u}` }] });
    const withWhatsApp = await record({ touchpoint: 'CHAT', handles: [{ platform: 'WHATSAPP', handle: phone }] });
    const id = withEmail.data!.recordTouchpoint.id;
    const res = await app.gql(CANDIDATES, { id }, ['viewer']);
    const byId = new Map(res.data!.duplicateCandidates.map((x: any) => [x.customer.id, x.evidence]));
    expect(byId.get(withHandle.data!.recordTouchpoint.id)).toEqual([`their handle INSTAGRAM @patdoe${u} matches the email pat.doe${u}+shop@example.com`]);
    expect(byId.get(withWhatsApp.data!.recordTouchpoint.id)).toEqual([expect.stringMatching(/^phone \+1313\d{7} is their WhatsApp number$/)]);
    expect(res.data!.duplicateCandidates[0].customer.id).toBe(withWhatsApp.data!.recordTouchpoint.id);
  });
});

describe('recordTouchpoint concurrency and conflicts', () => {
  it('makes one customer from 10 parallel touchpoints with the same new handle', async () => {
    const handle = `burst${unique()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        record({ touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'TWITTER', handle: n % 2 ? `@${handle.toUpperCase()}` : handle }] }, ['ingest']),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.recordTouchpoint.id)).size).toBe(1);
    const customerId = results[0].data!.recordTouchpoint.id;
    expect(await rowCount(`SELECT id FROM social_identities WHERE platform = 'TWITTER' AND handle = $1`, [handle])).toBe(1);
    expect(await rowCount(`SELECT id FROM touchpoint_events WHERE customer_id = $1`, [customerId])).toBe(10);
    expect(await rowCount(`SELECT id FROM touchpoint_events WHERE customer_id = $1 AND created_customer`, [customerId])).toBe(1);
  });

  it('pages touchpoint history newest first with cursors', async () => {
    const email = `pages.${unique()}@example.com`;
    for (const touchpoint of ['CHAT', 'IN_STORE', 'SERVICE_CALL', 'ONLINE_PURCHASE', 'OTHER']) await record({ touchpoint, emails: [email] });
    const found = await app.gql(LOOKUP, { email }, ['viewer']);
    const PAGE = `query($id: ID!, $after: String) { customer(id: $id) { touchpointHistory(first: 2, after: $after) {
      totalCount edges { node { touchpoint } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: any = await app.gql(PAGE, { id: found.data!.lookupCustomer.id, after }, ['viewer']);
      const history = res.data.customer.touchpointHistory;
      expect(history.totalCount).toBe(5);
      seen.push(...history.edges.map((e: any) => e.node.touchpoint));
      expect(history.pageInfo.hasNextPage).toBe(page < 2);
      after = history.pageInfo.endCursor;
    }
    expect(seen).toEqual(['OTHER', 'ONLINE_PURCHASE', 'SERVICE_CALL', 'IN_STORE', 'CHAT']);
  });

  it('answers CONFLICT naming both customers when the identifiers belong to two customers, and writes nothing', async () => {
    const u = unique();
    const a = await createCustomer(app.pool, { emails: [`a.${u}@example.com`] });
    const b = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `b${u}` }] });
    const res = await record({
      touchpoint: 'SOCIAL_MESSAGE', emails: [`a.${u}@example.com`, `new.${u}@example.com`], handles: [{ platform: 'TWITTER', handle: `b${u}` }],
      consents: [{ purpose: 'MARKETING', status: 'GRANTED' }],
    });
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(res.errors?.[0].extensions?.customerIds).toEqual([a.id, b.id].sort());
    expect(await rowCount(`SELECT id FROM contact_points WHERE value = $1`, [`new.${u}@example.com`])).toBe(0);
    expect(await rowCount(`SELECT id FROM consent_events WHERE customer_id = ANY($1::uuid[])`, [[a.id, b.id]])).toBe(0);
    expect(await rowCount(`SELECT id FROM touchpoint_events WHERE customer_id = ANY($1::uuid[])`, [[a.id, b.id]])).toBe(0);
  });

  it('refuses a touchpoint from a viewer (FORBIDDEN)', async () => {
    const res = await record({ touchpoint: 'OTHER', emails: [`v.${unique()}@example.com`] }, ['viewer']);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('recordTouchpoint bad input: BAD_USER_INPUT and nothing written', () => {
  const cases: [string, (u: string) => Record<string, unknown>, string | undefined][] = [
    ['malformed email', (u) => ({ emails: [`ok.${u}@example.com`, 'chad@@gmail'] }), 'emails[1]'],
    ['unparseable phone', (u) => ({ emails: [`ok.${u}@example.com`], phones: [{ number: '12' }] }), 'phones[0].number'],
    ['unknown platform', (u) => ({ emails: [`ok.${u}@example.com`], handles: [{ platform: 'MYSPACE', handle: 'chad' }] }), undefined],
    ['profile URL of another platform', (u) => ({ emails: [`ok.${u}@example.com`], handles: [{ platform: 'TWITTER', profileUrl: 'https://myspace.com/chad' }] }), 'handles[0].handle'],
    ['empty touchpoint', () => ({ city: 'Pierre', region: 'SD' }), 'input'],
    ['consent for an identifier not given', (u) => ({ emails: [`ok.${u}@example.com`], consents: [{ purpose: 'MARKETING', status: 'GRANTED', identifier: { email: `other.${u}@example.com` } }] }), 'consents[0].identifier'],
    ['consent status UNKNOWN', (u) => ({ emails: [`ok.${u}@example.com`], consents: [{ purpose: 'MARKETING', status: 'UNKNOWN' }] }), 'consents[0].status'],
  ];
  it.each(cases)('%s', async (_name, build, field) => {
    const u = unique();
    const name = `Bad Input ${u}`;
    const res = await record({ touchpoint: 'ACCOUNT_SIGNUP', name, ...build(u) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    if (field) expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await rowCount(`SELECT id FROM customers WHERE display_name = $1`, [name])).toBe(0);
    expect(await rowCount(`SELECT id FROM contact_points WHERE value = $1`, [`ok.${u}@example.com`])).toBe(0);
    expect(await rowCount(`SELECT id FROM touchpoint_events WHERE identifiers::text LIKE $1`, [`%${u}%`])).toBe(0);
  });
});
