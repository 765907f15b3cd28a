import { isUuid } from '../db';
import { badInput } from './errors';

/**
 * The one check of an id argument: BAD_USER_INPUT naming the field unless it is a UUID (an
 * unknown but well-formed id is then "not found", decided by the caller).
 * Usage: `checkId(input.escalationId, 'escalationId', 'an escalation id')`.
 */
export function checkId(value: string, field: string, what = 'an id', label = field): string {
  if (!isUuid(value)) throw badInput(field, `${label} "${value}" is not ${what}`);
  return value;
}
