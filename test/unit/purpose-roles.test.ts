import { effectiveRoles, ROLES, type Role } from '../../src/auth/roles';
import { ConsentPurpose } from '../../src/graphql/enums';
import { DomainError } from '../../src/graphql/errors';
import { checkPurposeForRoles, purposesFor } from '../../src/auth/purpose-roles';

const refusal = (roles: Role[], purpose: ConsentPurpose) => {
  try {
    checkPurposeForRoles(effectiveRoles(roles), purpose);
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
};

describe('purpose bound to role', () => {
  it('gives marketing MARKETING only, supervisor SERVICE only, admin all three, and the other roles none', () => {
    const table = Object.fromEntries(ROLES.map((role) => [role, purposesFor(effectiveRoles([role]))]));
    expect(table).toEqual({
      viewer: [], agent: [], ingest: [],
      supervisor: [ConsentPurpose.SERVICE],
      marketing: [ConsentPurpose.MARKETING],
      admin: [ConsentPurpose.SERVICE, ConsentPurpose.MARKETING, ConsentPurpose.PROFILING],
    });
  });

  it('refuses every purpose a role does not hold with FORBIDDEN, and an unknown purpose with BAD_USER_INPUT', () => {
    for (const role of ROLES) {
      for (const purpose of Object.values(ConsentPurpose)) {
        const allowed = purposesFor(effectiveRoles([role])).includes(purpose);
        expect({ role, purpose, refusal: refusal([role], purpose) }).toEqual({ role, purpose, refusal: allowed ? null : 'FORBIDDEN' });
      }
    }
    expect(refusal(['admin'], 'EVERYTHING' as ConsentPurpose)).toBe('BAD_USER_INPUT');
  });

  it('adds up the purposes of several roles', () => {
    expect(purposesFor(effectiveRoles(['supervisor', 'marketing']))).toEqual([ConsentPurpose.SERVICE, ConsentPurpose.MARKETING]);
  });
});
