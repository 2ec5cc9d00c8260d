import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock, waitFor } from '@gregor/testkit';
import { SingleNode, startSingleNode } from './single-node';

/** Longer than any test runs, so only the virtual clock can make a session expire. */
const SESSION_TIMEOUT_MS = 10 * 60 * 1000;

describe('ClusterNode on an injected ticker', () => {
  let dir: string;
  let node: SingleNode;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-cluster-ticker-'));
  });

  afterEach(async () => {
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('times broker sessions and sends heartbeats on the ticker: a silent broker is fenced, this one kept alive', async () => {
    const clock = new VirtualClock(Date.now());
    node = await startSingleNode(dir, 1, { ticker: clock, brokerHeartbeatMs: 1000, brokerSessionTimeoutMs: SESSION_TIMEOUT_MS });
    const { cluster } = node;
    await cluster.propose({ type: 'registerBroker', id: 2, address: '127.0.0.1:2', time: clock.now() });
    clock.advance(SESSION_TIMEOUT_MS / 2);
    await waitFor(() => cluster.state.broker(2) !== undefined, 10_000, 'broker 2 registered');
    expect(cluster.state.broker(2)!.fenced).toBe(false);

    clock.advance(SESSION_TIMEOUT_MS / 2 + 2000);
    await waitFor(() => cluster.state.broker(2)?.fenced, 10_000, 'the silent broker 2 fenced');
    expect(cluster.state.broker(1)!.fenced).toBe(false);
  });
});
