import { Admin, GregorError, type GroupDescription } from '@gregor/client';

/** The broker's refusals of a group that has live members: a commit outside membership, and a delete. */
const LIVE_MEMBER_REASONS = new Set(['UNKNOWN_MEMBER_ID', 'NON_EMPTY_GROUP']);

export function liveMembersError(description: GroupDescription, action: string): GregorError {
  const members = description.members.map((m) => `${m.memberId} (client ${m.clientId || '-'}, host ${m.clientHost || '-'})`).join(', ');
  return GregorError.failedPrecondition(
    `cannot ${action}: group ${JSON.stringify(description.group)} has ${description.members.length} live member(s): ${members}; stop them first`,
    'NON_EMPTY_GROUP',
  );
}

/** Fails, naming the members, while `group` has any. */
export async function refuseLiveMembers(admin: Admin, group: string, action: string): Promise<void> {
  const [description] = await admin.describeGroups([group]);
  if (description && description.members.length > 0) throw liveMembersError(description, action);
}

/** Runs `call`; a member may join after refuseLiveMembers looked, so the broker's refusal gets the same message. */
export async function namingLiveMembers<T>(admin: Admin, group: string, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof GregorError) || !LIVE_MEMBER_REASONS.has(err.reason)) throw err;
    await refuseLiveMembers(admin, group, action);
    throw err;
  }
}
