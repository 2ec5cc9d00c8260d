import type { Message } from '@gregor/raft';
import { waitFor } from '@gregor/testkit';
import type { PeerClients } from '../../src/cluster/peer-clients';
import { silentLogger } from '../../src/logger';
import type { PeerBatch } from '../../src/replication/peer-messages';
import { PeerTransport } from '../../src/replication/peer-transport';

const GROUP = 'orders/0';

function message(type: Message['type'], to: number): Message {
  const snapshot = type === 'snapshot' ? { meta: { lastIndex: 9, term: 2, config: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) } : undefined;
  return { type, from: 1, to, term: 2, index: 0, logTerm: 0, commit: 0, snapshot };
}

/** The client side of a peer stream, holding `writableLength` bytes not yet taken by the network. */
class FakeStream {
  readonly written: PeerBatch[] = [];
  constructor(public writableLength = 0) {}
  write(batch: PeerBatch): boolean {
    this.written.push(batch);
    return true;
  }
  on(): this {
    return this;
  }
}

/** Clients of brokers 2 and 3: 3 has a stream, 2 none (its address is unknown or it is down). */
function transportWith(stream: FakeStream, reports: string[]): PeerTransport {
  const clients = { get: (peer: number) => (peer === 3 ? { stream: () => stream } : null) } as unknown as PeerClients;
  return new PeerTransport({
    brokerId: 1,
    clients,
    deliver: () => undefined,
    logger: silentLogger,
    maxBufferedBytes: 1024,
    reportSnapshot: (group, to, sent) => reports.push(`${group} to ${to}: ${sent ? 'sent' : 'dropped'}`),
  });
}

describe('PeerTransport snapshot reports', () => {
  it('reports a snapshot it drops for want of a stream, and no other message', async () => {
    const reports: string[] = [];
    transportWith(new FakeStream(), reports).send(GROUP, [message('heartbeat', 2), message('snapshot', 2)]);
    await waitFor(() => reports.length > 0, 5000, 'a report');
    expect(reports).toEqual([`${GROUP} to 2: dropped`]);
  });

  it('reports a snapshot it drops because the stream is backed up', async () => {
    const reports: string[] = [];
    const stream = new FakeStream(4096);
    transportWith(stream, reports).send(GROUP, [message('snapshot', 3)]);
    await waitFor(() => reports.length > 0, 5000, 'a report');
    expect(reports).toEqual([`${GROUP} to 3: dropped`]);
    expect(stream.written).toEqual([]);
  });

  it('reports a snapshot sent once it is written to the stream', async () => {
    const reports: string[] = [];
    const stream = new FakeStream();
    transportWith(stream, reports).send(GROUP, [message('append', 3), message('snapshot', 3)]);
    await waitFor(() => reports.length > 0, 5000, 'a report');
    expect(reports).toEqual([`${GROUP} to 3: sent`]);
    expect(stream.written.flatMap((b) => b.messages.map((m) => m.type))).toEqual(['APPEND', 'SNAPSHOT']);
  });
});
