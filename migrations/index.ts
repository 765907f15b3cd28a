import { CoreModel1795622400000 } from './1795622400000-CoreModel';
import { IdentityAudit1795630000000 } from './1795630000000-IdentityAudit';
import { ConsentSegments1795640000000 } from './1795640000000-ConsentSegments';
import { InfluencePriorityQueue1795660000000 } from './1795660000000-InfluencePriorityQueue';

/** Every migration, oldest first. A test checks that each file in this folder is listed. */
export const migrations = [CoreModel1795622400000, IdentityAudit1795630000000, ConsentSegments1795640000000, InfluencePriorityQueue1795660000000];
