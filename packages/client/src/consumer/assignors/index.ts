import type { Assignor } from './assignor';
import { cooperativeStickyAssignor } from './cooperative-sticky';
import { rangeAssignor } from './range';
import { roundRobinAssignor } from './roundrobin';

export type { Assignor, GroupMemberSubscription, RebalanceProtocol } from './assignor';
export { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor };

/** By the protocol name members send in JoinGroup. */
export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]));
