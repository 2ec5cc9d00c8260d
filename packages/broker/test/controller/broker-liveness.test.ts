import { BrokerLiveness } from '../../src/controller/broker-liveness';
import type { BrokerRecord, MetadataCommand } from '../../src/controller/metadata-commands';

describe('BrokerLiveness', () => {
  function setup(brokers: BrokerRecord[]) {
    let now = 1000;
    const proposed: MetadataCommand[] = [];
    const liveness = new BrokerLiveness({ sessionTimeoutMs: 100, now: () => now, brokers: () => brokers, propose: (c) => proposed.push(c) });
    return { liveness, proposed, advance: (ms: number) => (now += ms) };
  }

  it('registers an unknown broker and fences a silent one only after a full session', () => {
    const { liveness, proposed, advance } = setup([{ id: 2, address: 'b', fenced: false, registeredAt: 0 }]);
    liveness.heartbeat({ brokerId: 1, address: 'a', peerAddress: '', rack: '', listeners: {} });
    expect(proposed).toEqual([{ type: 'registerBroker', id: 1, address: 'a', time: 1000 }]);
    advance(100);
    liveness.check();
    expect(proposed).toHaveLength(1);
    advance(1);
    liveness.check();
    expect(proposed[1]).toEqual({ type: 'fenceBroker', id: 2, fenced: true });
  });

  it('unfences a fenced broker that heartbeats again, and re-registers a moved one', () => {
    const { liveness, proposed } = setup([{ id: 2, address: 'b', fenced: true, registeredAt: 0 }]);
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: '', rack: '', listeners: {} });
    liveness.heartbeat({ brokerId: 2, address: 'b2', peerAddress: '', rack: '', listeners: {} });
    expect(proposed).toEqual([
      { type: 'fenceBroker', id: 2, fenced: false },
      { type: 'registerBroker', id: 2, address: 'b2', time: 1000 },
    ]);
  });

  it('re-registers a broker whose peer address or rack changed, carrying both', () => {
    const { liveness, proposed } = setup([{ id: 2, address: 'b', fenced: false, registeredAt: 0, peerAddress: 'p' }]);
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: 'p', rack: '', listeners: {} });
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: 'p2', rack: 'r1', listeners: {} });
    expect(proposed).toEqual([{ type: 'registerBroker', id: 2, address: 'b', peerAddress: 'p2', rack: 'r1', time: 1000 }]);
  });

  it('re-registers a broker whose front-end listeners changed, and one that stopped running them', () => {
    const { liveness, proposed } = setup([{ id: 2, address: 'b', fenced: false, registeredAt: 0, listeners: { kafka: 'k:9092' } }]);
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: '', rack: '', listeners: { kafka: 'k:9092' } });
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: '', rack: '', listeners: { kafka: 'k:9093' } });
    liveness.heartbeat({ brokerId: 2, address: 'b', peerAddress: '', rack: '', listeners: {} });
    expect(proposed).toEqual([
      { type: 'registerBroker', id: 2, address: 'b', listeners: { kafka: 'k:9093' }, time: 1000 },
      { type: 'registerBroker', id: 2, address: 'b', time: 1000 },
    ]);
  });
});
