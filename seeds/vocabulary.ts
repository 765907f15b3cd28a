/**
 * The fixed vocabulary the seed draws from: enumerations of the schema, weights that
 * make the data look like a real care desk, places and text templates.
 * Kept apart from generate.ts so the generator reads as rules, not as lists.
 */

/** [value, weight] pairs; weights need not sum to anything. */
export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

export const TIERS: Weighted<string> = [
  ['NONE', 45],
  ['BRONZE', 30],
  ['SILVER', 15],
  ['GOLD', 8],
  ['PLATINUM', 2],
];

/** Lifetime value range in dollars per tier: tiers follow value. */
export const LIFETIME_VALUE: Readonly<Record<string, readonly [number, number]>> = {
  NONE: [0, 600],
  BRONZE: [200, 2_500],
  SILVER: [1_500, 9_000],
  GOLD: [6_000, 30_000],
  PLATINUM: [25_000, 150_000],
};

export const TOUCHPOINTS = [
  'CREDIT_APPLICATION',
  'SERVICE_CALL',
  'LOYALTY_SIGNUP',
  'ONLINE_PURCHASE',
  'ACCOUNT_SIGNUP',
  'NEWSLETTER_OPT_IN',
  'CHAT',
  'IN_STORE',
  'SOCIAL_MESSAGE',
  'IMPORT',
  'OTHER',
] as const;

/** Where an email or phone number is usually given. */
export const CONTACT_TOUCHPOINTS: Weighted<string> = [
  ['ACCOUNT_SIGNUP', 30],
  ['ONLINE_PURCHASE', 20],
  ['LOYALTY_SIGNUP', 12],
  ['CREDIT_APPLICATION', 8],
  ['SERVICE_CALL', 10],
  ['NEWSLETTER_OPT_IN', 8],
  ['IN_STORE', 6],
  ['CHAT', 3],
  ['IMPORT', 2],
  ['OTHER', 1],
];

/** Where a social handle is usually captured: the customer tells us at a touchpoint. */
export const HANDLE_TOUCHPOINTS: Weighted<string> = [
  ['SOCIAL_MESSAGE', 35],
  ['ACCOUNT_SIGNUP', 15],
  ['LOYALTY_SIGNUP', 12],
  ['SERVICE_CALL', 10],
  ['CHAT', 10],
  ['ONLINE_PURCHASE', 6],
  ['IN_STORE', 5],
  ['CREDIT_APPLICATION', 3],
  ['IMPORT', 3],
  ['OTHER', 1],
];

/** Social platforms; each is also an interaction channel of the same name. */
export const PLATFORMS: Weighted<string> = [
  ['TWITTER', 20],
  ['FACEBOOK', 20],
  ['INSTAGRAM', 18],
  ['LINKEDIN', 8],
  ['TIKTOK', 8],
  ['YOUTUBE', 6],
  ['FORUM', 5],
  ['PINTEREST', 4],
  ['REVIEW_SITE', 4],
  ['WHATSAPP', 4],
  ['BLOG', 2],
  ['OTHER', 1],
];

/** Platforms whose user ids we know (numeric), so external_user_id is filled. */
export const PLATFORMS_WITH_USER_ID = new Set(['TWITTER', 'FACEBOOK', 'INSTAGRAM', 'YOUTUBE', 'TIKTOK']);

export const PROFILE_URL: Readonly<Record<string, (handle: string) => string>> = {
  TWITTER: (h) => `https://x.com/${h}`,
  FACEBOOK: (h) => `https://www.facebook.com/${h}`,
  INSTAGRAM: (h) => `https://www.instagram.com/${h}`,
  YOUTUBE: (h) => `https://www.youtube.com/@${h}`,
  LINKEDIN: (h) => `https://www.linkedin.com/in/${h}`,
  TIKTOK: (h) => `https://www.tiktok.com/@${h}`,
  PINTEREST: (h) => `https://www.pinterest.com/${h}`,
  FORUM: (h) => `https://community.example.com/u/${h}`,
  BLOG: (h) => `https://${h}.blogspot.com`,
  REVIEW_SITE: (h) => `https://www.yelp.com/user/${h}`,
  WHATSAPP: (h) => `https://wa.me/${h.replace('+', '')}`,
  OTHER: (h) => `https://social.example.net/${h}`,
};

/** Channels that are not a social platform. */
export const DIRECT_CHANNELS: Weighted<string> = [
  ['EMAIL', 35],
  ['PHONE', 30],
  ['CHAT', 18],
  ['SMS', 8],
  ['IN_STORE', 6],
  ['LETTER', 3],
];

/** Where an agent takes a public conversation "offline". */
export const OFFLINE_CHANNELS: Weighted<string> = [
  ['PHONE', 50],
  ['EMAIL', 30],
  ['CHAT', 20],
];

/** Channels whose posts are public by default (a share of them are direct messages). */
export const PUBLIC_CHANNELS = new Set([
  'TWITTER',
  'FACEBOOK',
  'INSTAGRAM',
  'YOUTUBE',
  'LINKEDIN',
  'TIKTOK',
  'PINTEREST',
  'FORUM',
  'BLOG',
  'REVIEW_SITE',
]);

/** Channels with private direct messages next to public posts. */
export const CHANNELS_WITH_DMS = new Set(['TWITTER', 'FACEBOOK', 'INSTAGRAM', 'LINKEDIN', 'TIKTOK']);

/** Response-time target in hours per channel (domain.md "Service levels"). */
export const SLA_HOURS: Readonly<Record<string, number>> = {
  TWITTER: 1,
  FACEBOOK: 1,
  INSTAGRAM: 1,
  TIKTOK: 1,
  WHATSAPP: 1,
  YOUTUBE: 3,
  LINKEDIN: 3,
  PINTEREST: 3,
  FORUM: 6,
  BLOG: 24,
  REVIEW_SITE: 24,
  OTHER: 24,
  EMAIL: 24,
  SMS: 1,
  CHAT: 0.1,
  PHONE: 0.25,
  IN_STORE: 0.25,
  LETTER: 120,
};

export const CATEGORIES: Weighted<string> = [
  ['COMPLAINT', 30],
  ['QUESTION', 30],
  ['COMPLIMENT', 12],
  ['OTHER', 12],
  ['PROACTIVE', 8],
  ['SALES_LEAD', 8],
];

/**
 * Topics with the phrases that templates put around them. `lane` follows the swim-lane
 * table of domain.md: future products, campaigns, events and charity go to Marketing/PR.
 */
export interface Topic {
  readonly tag: string;
  readonly lane: 'CUSTOMER_SERVICE' | 'MARKETING_PR';
  readonly skillGroup: string;
  /** "my last bill": the thing a message is about. */
  readonly subject: string;
  /** "sorting out my bill so quickly": what a compliment praises. */
  readonly praise: string;
}

export const TOPICS: readonly Topic[] = [
  { tag: 'billing', lane: 'CUSTOMER_SERVICE', skillGroup: 'billing', subject: 'my last bill', praise: 'sorting out my bill so quickly' },
  { tag: 'fuel-mileage', lane: 'CUSTOMER_SERVICE', skillGroup: 'product', subject: 'the fuel mileage on my car', praise: 'the tips on getting better mileage' },
  { tag: 'warranty', lane: 'CUSTOMER_SERVICE', skillGroup: 'warranty', subject: 'my warranty claim', praise: 'handling my warranty claim without a fuss' },
  { tag: 'rebate', lane: 'CUSTOMER_SERVICE', skillGroup: 'warranty', subject: 'the rebate I was promised', praise: 'getting my rebate through' },
  { tag: 'delivery', lane: 'CUSTOMER_SERVICE', skillGroup: 'logistics', subject: 'the delivery date of my order', praise: 'delivering a day early' },
  { tag: 'app', lane: 'CUSTOMER_SERVICE', skillGroup: 'digital', subject: 'the mobile app', praise: 'the new version of the app' },
  { tag: 'service-appointment', lane: 'CUSTOMER_SERVICE', skillGroup: 'service', subject: 'my service appointment', praise: 'fitting my service in the same day' },
  { tag: 'recall', lane: 'CUSTOMER_SERVICE', skillGroup: 'technical', subject: 'the recall notice I got', praise: 'the clear explanation of the recall' },
  { tag: 'infotainment', lane: 'CUSTOMER_SERVICE', skillGroup: 'technical', subject: 'the infotainment screen', praise: 'fixing the screen freeze remotely' },
  { tag: 'financing', lane: 'CUSTOMER_SERVICE', skillGroup: 'billing', subject: 'my financing paperwork', praise: 'walking me through the financing' },
  { tag: 'roadside-assistance', lane: 'CUSTOMER_SERVICE', skillGroup: 'service', subject: 'roadside assistance', praise: 'getting roadside assistance to me in 30 minutes' },
  { tag: 'dealer', lane: 'CUSTOMER_SERVICE', skillGroup: 'service', subject: 'the dealership visit', praise: 'the friendly staff at the dealership' },
  { tag: 'new-model', lane: 'MARKETING_PR', skillGroup: 'marketing', subject: 'the new model coming next year', praise: 'the sneak peek of the new model' },
  { tag: 'campaign', lane: 'MARKETING_PR', skillGroup: 'marketing', subject: 'your latest ad campaign', praise: 'that brilliant new ad' },
  { tag: 'event', lane: 'MARKETING_PR', skillGroup: 'events', subject: 'the test-drive event this weekend', praise: 'a great test-drive event' },
  { tag: 'charity', lane: 'MARKETING_PR', skillGroup: 'pr', subject: 'your charity drive', praise: 'supporting the food bank' },
  { tag: 'sustainability', lane: 'MARKETING_PR', skillGroup: 'pr', subject: 'your plans for electric models', praise: 'the commitment to going electric' },
];

export const PRODUCTS = ['CTS', 'MKZ', 'XT5', 'Escalade', 'Navigator', 'Aviator', 'Lyriq', 'Nautilus'] as const;

/** Purchases (issue 27): the owned model (category `vehicle`) plus what owners buy after it, with price ranges. */
export const VEHICLE_PRICE: readonly [number, number] = [35_000, 95_000];
export const AFTER_SALES: ReadonlyArray<{ product: string; category: string; price: readonly [number, number] }> = [
  { product: 'Annual service', category: 'service', price: [250, 900] },
  { product: 'Tyre set', category: 'accessory', price: [600, 1800] },
  { product: 'Extended warranty', category: 'warranty', price: [1200, 3500] },
  { product: 'Roof rack', category: 'accessory', price: [300, 700] },
  { product: 'Charging wallbox', category: 'accessory', price: [900, 2000] },
  { product: 'Detailing', category: 'service', price: [150, 400] },
];
/** The currency purchases are recorded in, by country code. */
export const CURRENCY: Readonly<Record<string, string>> = { US: 'USD', GB: 'GBP', CA: 'CAD', DE: 'EUR', FR: 'EUR' };

/** Inbound message openers per category; {s} is the topic subject. */
export const INBOUND_TEXT: Readonly<Record<string, ReadonlyArray<(subject: string, product: string) => string>>> = {
  COMPLAINT: [
    (s) => `Really disappointed with ${s}.`,
    (s) => `Still waiting on someone to fix ${s}.`,
    (s, p) => `Third time this month I have a problem with ${s} on my ${p}.`,
    (s) => `What is going on with ${s}? Nobody calls me back.`,
    (s) => `Not happy about ${s} at all.`,
  ],
  QUESTION: [
    (s) => `Quick question about ${s}: who should I talk to?`,
    (s) => `Is there any update on ${s}?`,
    (s, p) => `How does ${s} work for a ${p} owner?`,
    (s) => `Can someone explain ${s} to me?`,
  ],
  COMPLIMENT: [
    () => `Big thanks to the team!`,
    (_s, p) => `Loving my new ${p}.`,
    () => `Shout-out to your support people.`,
  ],
  PROACTIVE: [
    (s) => `Anyone else have thoughts on ${s}?`,
    (s, p) => `Thinking out loud about ${s} on the ${p}.`,
    (s) => `Interesting discussion here about ${s}.`,
  ],
  SALES_LEAD: [
    () => `Should I buy the CTS or the MKZ?`,
    (_s, p) => `Looking at a ${p} - any offers this month?`,
    (s) => `Considering an upgrade, curious about ${s}.`,
  ],
  OTHER: [
    (s) => `Saw something about ${s} today.`,
    () => `Just passing by, nice page.`,
    (s) => `Random thought on ${s}.`,
  ],
};

/** Sentences that finish a complaint; the churn ones feed retention escalation rules. */
export const COMPLAINT_ENDINGS = [
  'This is unacceptable.',
  'Waited 40 minutes on hold.',
  'Thinking of leaving if this is not fixed.',
  'Ready to cancel my account.',
  'Please sort this out.',
  'Second email, no answer.',
];

/** Agent replies per category; {f} is the customer's first name. */
export const OUTBOUND_TEXT: Readonly<Record<string, ReadonlyArray<(first: string, subject: string) => string>>> = {
  COMPLAINT: [
    (f, s) => `Hi ${f}, we are sorry about ${s}. Could you send us your order number so we can look into it?`,
    (f) => `${f}, thanks for flagging this. A specialist is on it and will update you today.`,
  ],
  QUESTION: [
    (f, s) => `Hi ${f}, happy to help with ${s}. Here is what you need to know.`,
    (f) => `Thanks for asking, ${f}! The short answer is yes - details below.`,
  ],
  COMPLIMENT: [(f) => `Thank you ${f}! We will pass this on to the team.`, (f) => `That made our day, ${f}. Thanks for sharing!`],
  PROACTIVE: [(f, s) => `Hi ${f}, saw your post about ${s} - here are a few tips from our engineers.`],
  SALES_LEAD: [(f) => `Hi ${f}, great question! Can a product specialist give you a call to compare?`],
  OTHER: [(f) => `Thanks for stopping by, ${f}.`],
};

export const TAKE_OFFLINE_TEXT = (first: string): string =>
  `Hi ${first}, let us take this offline so we can look at your account - we will reach out directly.`;
export const CLOSE_LOOP_TEXT = (first: string): string =>
  `Glad we could sort this out, ${first}. Closing the loop here - thanks for your patience!`;
export const FOLLOW_UP_TEXT = ['Any news?', 'Still not fixed.', 'Thanks, but one more thing...', 'Did you get my message?'];
export const THANKS_TEXT = ['Thanks, all good now!', 'Perfect, thank you.', 'Appreciate the quick help.'];

export const CONSENT_WORDING: Readonly<Record<string, string>> = {
  SERVICE: 'You may contact me on this account to help with my requests.',
  MARKETING: 'Send me offers and news on this account.',
  PROFILING: 'You may analyse my public posts and measure my influence.',
};

export const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'aol.com', 'proton.me'];

/** Faker locale module per country, with where people live and how phone numbers look. */
export interface Country {
  readonly code: string;
  readonly weight: number;
  readonly fakerLocale: 'en_US' | 'en_GB' | 'en_CA' | 'de' | 'fr';
  /** [city, region] pairs, real places so duplicate suggestions (same name and city) happen. */
  readonly places: ReadonlyArray<readonly [string, string]>;
  /** E.164 prefixes of plausible numbers; the rest is random digits up to `digits`. */
  readonly phonePrefixes: readonly string[];
  /** Total number of digits after the "+". */
  readonly digits: number;
}

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US',
    weight: 78,
    fakerLocale: 'en_US',
    places: [
      ['New York', 'NY'], ['Brooklyn', 'NY'], ['Buffalo', 'NY'], ['Los Angeles', 'CA'], ['San Diego', 'CA'],
      ['San Jose', 'CA'], ['Sacramento', 'CA'], ['Chicago', 'IL'], ['Houston', 'TX'], ['Dallas', 'TX'],
      ['Austin', 'TX'], ['San Antonio', 'TX'], ['Phoenix', 'AZ'], ['Tucson', 'AZ'], ['Philadelphia', 'PA'],
      ['Pittsburgh', 'PA'], ['Jacksonville', 'FL'], ['Miami', 'FL'], ['Tampa', 'FL'], ['Orlando', 'FL'],
      ['Columbus', 'OH'], ['Cleveland', 'OH'], ['Indianapolis', 'IN'], ['Charlotte', 'NC'], ['Raleigh', 'NC'],
      ['Seattle', 'WA'], ['Spokane', 'WA'], ['Denver', 'CO'], ['Boston', 'MA'], ['Nashville', 'TN'],
      ['Memphis', 'TN'], ['Detroit', 'MI'], ['Grand Rapids', 'MI'], ['Portland', 'OR'], ['Las Vegas', 'NV'],
      ['Louisville', 'KY'], ['Baltimore', 'MD'], ['Milwaukee', 'WI'], ['Albuquerque', 'NM'], ['Atlanta', 'GA'],
      ['Kansas City', 'MO'], ['St. Louis', 'MO'], ['Omaha', 'NE'], ['Minneapolis', 'MN'], ['New Orleans', 'LA'],
      ['Salt Lake City', 'UT'], ['Boise', 'ID'], ['Des Moines', 'IA'], ['Sioux Falls', 'SD'], ['Rapid City', 'SD'],
      ['Fargo', 'ND'], ['Billings', 'MT'], ['Anchorage', 'AK'], ['Honolulu', 'HI'], ['Birmingham', 'AL'],
      ['Little Rock', 'AR'], ['Richmond', 'VA'], ['Hartford', 'CT'], ['Providence', 'RI'], ['Burlington', 'VT'],
    ],
    phonePrefixes: [
      '1212', '1718', '1716', '1213', '1619', '1408', '1916', '1312', '1713', '1214', '1512', '1210', '1602',
      '1520', '1215', '1412', '1904', '1305', '1813', '1407', '1614', '1216', '1317', '1704', '1919', '1206',
      '1509', '1303', '1617', '1615', '1901', '1313', '1616', '1503', '1702', '1502', '1410', '1414', '1505',
      '1404', '1816', '1314', '1402', '1612', '1504', '1801', '1208', '1515', '1605', '1701', '1406', '1907',
      '1808', '1205', '1501', '1804', '1860', '1401', '1802',
    ],
    digits: 11,
  },
  {
    code: 'GB',
    weight: 7,
    fakerLocale: 'en_GB',
    places: [
      ['London', 'Greater London'], ['Manchester', 'Greater Manchester'], ['Birmingham', 'West Midlands'],
      ['Leeds', 'West Yorkshire'], ['Glasgow', 'Scotland'], ['Edinburgh', 'Scotland'], ['Bristol', 'Bristol'],
      ['Cardiff', 'Wales'], ['Belfast', 'Northern Ireland'], ['Liverpool', 'Merseyside'],
    ],
    phonePrefixes: ['4475', '4477', '4478', '4479'],
    digits: 12,
  },
  {
    code: 'CA',
    weight: 7,
    fakerLocale: 'en_CA',
    places: [
      ['Toronto', 'ON'], ['Ottawa', 'ON'], ['Montreal', 'QC'], ['Vancouver', 'BC'], ['Calgary', 'AB'],
      ['Edmonton', 'AB'], ['Winnipeg', 'MB'], ['Halifax', 'NS'],
    ],
    phonePrefixes: ['1416', '1613', '1514', '1604', '1403', '1780', '1204', '1902'],
    digits: 11,
  },
  {
    code: 'DE',
    weight: 5,
    fakerLocale: 'de',
    places: [
      ['Berlin', 'Berlin'], ['München', 'Bayern'], ['Hamburg', 'Hamburg'], ['Köln', 'Nordrhein-Westfalen'],
      ['Düsseldorf', 'Nordrhein-Westfalen'], ['Stuttgart', 'Baden-Württemberg'], ['Leipzig', 'Sachsen'],
    ],
    phonePrefixes: ['49151', '49152', '49160', '49170', '49171', '49176'],
    digits: 13,
  },
  {
    code: 'FR',
    weight: 3,
    fakerLocale: 'fr',
    places: [
      ['Paris', 'Île-de-France'], ['Lyon', 'Auvergne-Rhône-Alpes'], ['Marseille', "Provence-Alpes-Côte d'Azur"],
      ['Toulouse', 'Occitanie'], ['Lille', 'Hauts-de-France'],
    ],
    phonePrefixes: ['336', '337'],
    digits: 11,
  },
];

/**
 * Three people of one name in one small state (domain.md, "who is @ChadSchaeffer?"):
 * name matching is not identity, so the seed makes sure the case exists.
 */
export const NAMESAKES = [
  { city: 'Sioux Falls', email: 'chadmschaeffer', domain: 'gmail.com', phonePrefix: '1313' },
  { city: 'Sioux Falls', email: 'chad.schaeffer', domain: 'outlook.com', phonePrefix: '1605' },
  { city: 'Rapid City', email: 'cschaeffer', domain: 'yahoo.com', phonePrefix: '1605' },
] as const;

/** Relative volume by hour of day (UTC used as local time): evenings are as busy as office hours. */
export const HOUR_WEIGHTS: Weighted<number> = [
  [0, 3], [1, 2], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [7, 4], [8, 6], [9, 7], [10, 7], [11, 7],
  [12, 7], [13, 7], [14, 7], [15, 7], [16, 7], [17, 8], [18, 9], [19, 9], [20, 9], [21, 8], [22, 6], [23, 4],
];
