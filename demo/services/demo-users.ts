/**
 * The demo's cast. Tokens are fake bearer tokens the auth service accepts; the page, the backend and
 * the traffic generator all use them. Two users exist to give queries something to find.
 */
export interface DemoUser {
  id: string;
  name: string;
  token: string;
  /** Every request of this user takes a slow path in the data service. */
  slow: boolean;
  /** The auth service always refuses this user's token. */
  refused: boolean;
}

function user(id: string, name: string, flags: { slow?: boolean; refused?: boolean } = {}): DemoUser {
  return { id, name, token: `token-${id}`, slow: flags.slow ?? false, refused: flags.refused ?? false };
}

export const DEMO_USERS: readonly DemoUser[] = [
  user('u-alice', 'Alice'),
  user('u-bob', 'Bob'),
  user('u-carol', 'Carol'),
  user('u-dave', 'Dave'),
  user('u-ada', 'Ada (always slow)', { slow: true }),
  user('u-mallory', 'Mallory (refused by auth)', { refused: true }),
];

export function findUserByToken(token: string): DemoUser | undefined {
  return DEMO_USERS.find((candidate) => candidate.token === token);
}

export function findUserById(id: string): DemoUser | undefined {
  return DEMO_USERS.find((candidate) => candidate.id === id);
}
