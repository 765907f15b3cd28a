import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_ACTIONS } from '../../src/audit/audit-log';

// Operators read the audit log through docs/security-and-operations.md: an action the code
// writes but the page does not name is one they cannot look for.
describe('audit actions', () => {
  it('every action in AUDIT_ACTIONS is named in docs/security-and-operations.md', () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/security-and-operations.md'), 'utf8');
    expect([...new Set(AUDIT_ACTIONS)].filter((a) => !doc.includes(`\`${a}\``))).toEqual([]);
  });
});
