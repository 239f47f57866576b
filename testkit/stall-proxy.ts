import { createConnection, createServer, type Socket } from 'node:net';

export interface StallProxy {
  /** `redis://127.0.0.1:<port>`: give it to the process whose Redis should stall. */
  url: string;
  /** From now on, bytes towards Redis are held (Redis sees nothing; the client waits, as on a stalled server). */
  stall(): void;
  /** Sends what was held, in order, and passes bytes through again: held commands run now, late. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of Redis that can hold a client's commands. Unlike CLIENT PAUSE, it stalls only
 * the clients connected through it, so other tests on the same Redis go on; and unlike dropping the
 * connection, a held command still reaches Redis later — the case where a client gave up on an answer
 * (commandTimeout) and the write happens anyway.
 */
export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  let stalled = false;
  const links = new Set<{ client: Socket; upstream: Socket; held: Buffer[] }>();

  const server = createServer((client) => {
    const upstream = createConnection(target);
    const link = { client, upstream, held: [] as Buffer[] };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (stalled) link.held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    // A reset on either side ends both; the client sees a closed connection, as with a real server.
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stall proxy: no port');

  return {
    url: `redis://127.0.0.1:${address.port}`,
    stall: () => {
      stalled = true;
    },
    release: () => {
      stalled = false;
      for (const link of links) {
        for (const chunk of link.held.splice(0)) link.upstream.write(chunk);
      }
    },
    close: async () => {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
