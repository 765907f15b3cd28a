/** The posts bench:ingest sends and bench:text-match classifies: complaints, questions, praise, a sales lead, churn, noise. */
export const POST_TEMPLATES: readonly string[] = [
  'My #warranty claim was refused at the dealer, terrible',
  'How do I pair bluetooth with the new app?',
  'Getting 34 mpg on the highway this week #fuelmileage',
  'Thanks for the quick oil change, great service!',
  'should I buy the CTS or the MKZ?',
  'Still waiting for my rebate, third email now',
  'Loved the new ad during the game #campaign',
  'Is the roadside assistance included with the lease?',
  'I am thinking of leaving, the infotainment screen froze again',
  'lol nice car',
];
