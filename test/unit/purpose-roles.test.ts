import { purposeAllowed, checkPurpose } from '../../src/auth/purpose-roles';
import { effectiveRoles, ROLES } from '../../src/auth/roles';
import { ConsentPurpose } from '../../src/graphql/enums';

describe('purpose bound to role', () => {
  it('marketing: MARKETING only; supervisor: SERVICE; admin: all three; viewer, agent and ingest: none', () => {
    const table = Object.fromEntries(ROLES.map((role) => [role, Object.values(ConsentPurpose).filter((p) => purposeAllowed(effectiveRoles([role]), p))]));
    expect(table).toEqual({
      viewer: [], agent: [], ingest: [],
      marketing: ['MARKETING'],
      supervisor: ['SERVICE'],
      admin: ['SERVICE', 'MARKETING', 'PROFILING'],
    });
  });

  it('another purpose is FORBIDDEN, with the argument named', () => {
    expect(() => checkPurpose(effectiveRoles(['marketing']), ConsentPurpose.SERVICE, 'input.purpose')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', details: { field: 'input.purpose' } }));
    expect(() => checkPurpose(effectiveRoles(['supervisor', 'marketing']), ConsentPurpose.PROFILING, 'purpose')).toThrow(/PROFILING needs one of the roles: admin/);
    expect(() => checkPurpose(effectiveRoles(['supervisor']), ConsentPurpose.SERVICE, 'purpose')).not.toThrow();
  });
});
