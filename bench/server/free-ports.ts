import net from 'node:net';

/**
 * `count` TCP ports on 127.0.0.1 that were free a moment ago (the OS picks them). Fixed ports let
 * two benchmark runs on one machine (a CI smoke run beside a measurement) talk to each other's
 * server; ports chosen at run time do not.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    // All held open together, so the OS cannot hand out the same port twice.
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
