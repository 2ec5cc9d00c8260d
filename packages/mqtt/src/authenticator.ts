/** What a client presents in CONNECT. */
export interface MqttCredentials {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  /** host:port the connection comes from. */
  remoteAddress: string;
}

/**
 * Decides whether a CONNECT may go on; the security work plugs its checks in here. A refusal is
 * answered with "bad user name or password" and the connection is closed.
 */
export interface Authenticator {
  authenticate(credentials: MqttCredentials): Promise<boolean>;
}

/** Lets every client in: the default until the broker has users. */
export const allowAll: Authenticator = { authenticate: async () => true };
