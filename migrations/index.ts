import { CoreModel1795622400000 } from './1795622400000-CoreModel';
import { AuditLog1795670000000 } from './1795670000000-AuditLog';

/** Every migration, oldest first. A test checks that each file in this folder is listed. */
export const migrations = [CoreModel1795622400000, AuditLog1795670000000];
