// DNS workloads (issue 3): gonet's pure resolver against Node's c-ares (`dns.promises.Resolver`)
// on the same local unbound (127.0.0.1, authoritative for a bench zone, never recursing).
//   dns/lookup-cache-off  A lookups, 50 in flight, spread over 100 names (so neither side's
//                         in-flight sharing hides the network), gonet with its cache off and
//                         its default UDP socket sharing (as c-ares shares sockets)
//   dns/lookup-cache-on   the same with gonet's TTL cache on (c-ares has none)
//   dns/lookup-socket-per-query  cache off, udpReuse: false: a fresh socket per query, as Go
//   dns/threadpool-readfile      the threadpool demonstration (dns-threadpool.ts)
// Register with `...dnsWorkloads` in run.ts. Needs /usr/sbin/unbound (.ci/run installs it).

import { Resolver as CAres } from 'node:dns/promises';
import { Resolver } from '../src/net/index.js';
import { TempDir, startUnbound, type Daemon } from '../test/net/dns/support.js';
import { compare, now, type RunOptions, type Workload } from './workload.js';
import { dnsThreadpoolWorkload } from './dns-threadpool.js';

const NAMES = 100;
const IN_FLIGHT = 50;

const ZONE = `$ORIGIN bench.test.
$TTL 300
@   300 IN SOA ns.bench.test. admin.bench.test. 1 3600 600 86400 60
@   300 IN NS  ns
ns  300 IN A   127.0.0.1
${Array.from({ length: NAMES }, (_, i) => `h${i} 300 IN A 192.0.2.${i}`).join('\n')}
`;

const nameOf = (k: number): string => `h${k % NAMES}.bench.test`;

/** Lookups per second for `count` calls of `fn`, `IN_FLIGHT` at a time. */
async function rate(count: number, fn: (k: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) await fn(next++);
  }));
  return count / ((now() - t0) / 1000);
}

async function withUnbound<T>(fn: (d: Daemon) => Promise<T>): Promise<T> {
  const dir = new TempDir();
  const d = await startUnbound(dir, [{ origin: 'bench.test.', zone: ZONE }]);
  try {
    return await fn(d);
  } finally {
    await d.stop();
    dir.remove();
  }
}

function resolvers(d: Daemon, cache: boolean, udpReuse: boolean): { ours: Resolver; cares: CAres } {
  const dir = new TempDir();
  const ours = new Resolver({
    mode: 'pure', servers: [d.address], resolvConfPath: dir.file('resolv.conf', ''), hostsPath: dir.file('hosts', ''),
    nsswitchPath: dir.path + '/none', cache, udpReuse, loopbackOnly: true,
  });
  const cares = new CAres({ timeout: 5000, tries: 2 });
  cares.setServers([d.address]);
  return { ours, cares };
}

function lookupWorkload(name: string, cache: boolean, udpReuse: boolean, target?: number): Workload {
  return {
    name,
    unit: 'lookups/s',
    target,
    run: (o: RunOptions) => withUnbound(async (d) => {
      const { ours, cares } = resolvers(d, cache, udpReuse);
      const count = o.quick ? 2000 : 20000;
      // Warm both (JIT, and gonet's cache when on).
      await rate(500, (k) => ours.lookupIP('ip4', nameOf(k)));
      await rate(500, (k) => cares.resolve4(nameOf(k)));
      try {
        return await compare(o, {
          ours: () => rate(count, (k) => ours.lookupIP('ip4', nameOf(k))),
          node: () => rate(count, (k) => cares.resolve4(nameOf(k))),
        });
      } finally {
        ours.close();
      }
    }),
  };
}

/** The DNS workloads, in the order they run. */
export const dnsWorkloads: Workload[] = [
  lookupWorkload('dns/lookup-cache-off', false, true, 1),
  lookupWorkload('dns/lookup-cache-on', true, true, 10),
  lookupWorkload('dns/lookup-socket-per-query', false, false),
  dnsThreadpoolWorkload,
];
