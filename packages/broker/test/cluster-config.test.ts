import { resolveTopology } from '../src/cluster/cluster-config';

const self = { client: '127.0.0.1:7071', peer: '127.0.0.1:7081' };

describe('resolveTopology', () => {
  it('reads each peer as id=host:port/peerPort, or with a peer host of its own', () => {
    const topology = resolveTopology(1, self, '1=127.0.0.1:7071/7081, 2=b2:7070/7080,3=b3:7070/10.0.0.3:7090', '');
    expect([...topology.peers]).toEqual([
      [1, { client: '127.0.0.1:7071', peer: '127.0.0.1:7081' }],
      [2, { client: 'b2:7070', peer: 'b2:7080' }],
      [3, { client: 'b3:7070', peer: '10.0.0.3:7090' }],
    ]);
    expect(topology.controllers).toEqual([1, 2, 3]);
  });

  it('is a cluster of one at its own addresses without peers', () => {
    expect([...resolveTopology(4, self, '', '').peers]).toEqual([[4, self]]);
  });

  it('refuses a peer without a peer port, and an own entry naming another peer port than the one it listens on', () => {
    expect(() => resolveTopology(1, self, '1=127.0.0.1:7071,2=b2:7070', '')).toThrow(/is not id=host:port\/peerPort/);
    expect(() => resolveTopology(1, self, '1=127.0.0.1:7071/7070,2=b2:7070/7080', '')).toThrow(/peer port 7070, but it listens for peers on 7081/);
  });
});
