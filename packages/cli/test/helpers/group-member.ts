import { Connection } from '@gregor/client';
import { encodeAssignment, encodeSubscription, type JoinGroupResponse } from '@gregor/proto';

export interface GroupMember {
  memberId: string;
  generation: number;
  /** Leaves the group and closes the connection. */
  leave(): Promise<void>;
}

/**
 * Joins `group` as its only member, the way a consumer does (raw JoinGroup and
 * SyncGroup), and assigns itself `partitions` of `topic`. The session outlasts
 * a test, so no heartbeats are needed.
 */
export async function joinAsConsumer(address: string, group: string, clientId: string, topic: string, partitions: number[]): Promise<GroupMember> {
  const connection = new Connection({ address });
  try {
    const joined = await connection.unary<object, JoinGroupResponse>('Groups', 'JoinGroup', {
      group,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [topic] }) }],
      sessionTimeoutMs: 60_000,
      rebalanceTimeoutMs: 60_000,
      clientId,
    });
    const assignment = encodeAssignment({ partitions: [{ topic, partitions }] });
    await connection.unary('Groups', 'SyncGroup', {
      group,
      generation: joined.generation,
      memberId: joined.memberId,
      protocolType: 'consumer',
      protocolName: joined.protocolName,
      assignments: [{ memberId: joined.memberId, assignment }],
    });
    return {
      memberId: joined.memberId,
      generation: joined.generation,
      leave: async () => {
        try {
          await connection.unary('Groups', 'LeaveGroup', { group, members: [{ memberId: joined.memberId }] });
        } finally {
          connection.close();
        }
      },
    };
  } catch (err) {
    connection.close();
    throw err;
  }
}
