/**
 * The servers of a live run: N nodes on loopback ports, each started from the config's command
 * with its placeholders filled, and one peer proxy per node that every other node reaches it
 * through ({proxy_port}, {initial_cluster}, {peers} name the proxies, never the real peer
 * ports). Readiness, the faults' actions on nodes and links (the Nemesis), and the clean-up.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { commandLine, type LiveConfig } from './config.js';
import type { Nemesis } from './faults.js';
import { accepts, HOST } from './ports.js';
import { Links, PeerProxy } from './proxy.js';
import type { RunStop } from './stop.js';
import { exitOf, NodeProcess, signalGroup, type ProcessGroups } from './supervisor.js';
import { connectingGroup } from './whois.js';

export class LiveCluster {
  readonly ids: readonly string[];
  readonly nodes: readonly NodeProcess[];
  readonly links: Links;
  readonly proxies: readonly PeerProxy[];
  readonly clientPort: readonly number[];
  readonly proxyPort: readonly number[];
  /** The nodes' client addresses, host:port, comma-separated ({endpoints}). */
  readonly endpoints: string;
  private readonly probes: readonly (() => Promise<boolean>)[];

  /** `ports`: 3 per node, free (ports.ts): client ports, then real peer ports, then proxies. */
  constructor(
    private readonly config: LiveConfig,
    private readonly groups: ProcessGroups,
    private readonly stop: RunStop,
    dirs: { readonly logs: string; readonly data: string },
    ports: readonly number[],
  ) {
    const n = config.nodes;
    this.ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    this.clientPort = ports.slice(0, n);
    const peerPort = ports.slice(n, 2 * n);
    this.proxyPort = ports.slice(2 * n, 3 * n);
    const address = (port: number | undefined) => `${HOST}:${port}`;
    this.endpoints = this.clientPort.map(address).join(',');
    const shared = {
      host: HOST,
      initial_cluster: this.ids
        .map((id, j) => `${id}=http://${address(this.proxyPort[j])}`)
        .join(','),
      peers: this.proxyPort.map(address).join(','),
      endpoints: this.endpoints,
      config_dir: config.dir,
    };
    const probes: (() => Promise<boolean>)[] = [];
    this.nodes = this.ids.map((id, i) => {
      const dataDir = join(dirs.data, id);
      mkdirSync(dataDir, { recursive: true });
      const values = {
        ...shared,
        id,
        index: String(i),
        client_port: String(this.clientPort[i]),
        peer_port: String(peerPort[i]),
        proxy_port: String(this.proxyPort[i]),
        data_dir: dataDir,
      };
      const log = join(dirs.logs, `${id}.log`);
      const ready = config.ready === undefined ? undefined : commandLine(config.ready, values);
      probes.push(
        ready === undefined
          ? () => accepts(this.clientPort[i] ?? 0)
          : () => runProbe(groups, ready, config.dir, log),
      );
      const stopCommand = config.stop;
      return new NodeProcess(
        {
          id,
          index: i,
          ...commandLine(config.start, values),
          ...(stopCommand === undefined
            ? {}
            : {
                stop: (pid: number) => commandLine(stopCommand, { ...values, pid: String(pid) }),
              }),
          cwd: config.dir,
          log,
        },
        groups,
        (node, how) =>
          stop.broken(`node ${node.spec.id} (${node.spec.text}) ${how} [log: ${node.spec.log}]`),
      );
    });
    this.probes = probes;
    this.links = new Links(n);
    this.proxies = this.ids.map(
      (_, j) =>
        new PeerProxy({
          to: j,
          listenPort: this.proxyPort[j] ?? 0,
          targetPort: peerPort[j] ?? 0,
          links: this.links,
          identify: (socket) => this.identify(socket),
        }),
    );
  }

  /** Open the proxies, start every node, and wait until each serves (or the run stops). */
  async start(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.listen()));
    for (const node of this.nodes) node.start();
    await this.waitReady();
  }

  /** Kill every node (SIGKILL, waited for) and close the proxies. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await Promise.all(this.proxies.map((p) => p.close()));
  }

  /** Peer connections: accepted, from an unidentified sender, reset or refused by a cut. */
  proxyCounts(): { accepted: number; unidentified: number; refused: number } {
    const sum = (f: (p: PeerProxy) => number) => this.proxies.reduce((a, p) => a + f(p), 0);
    return {
      accepted: sum((p) => p.accepted),
      unidentified: sum((p) => p.unidentified),
      refused: sum((p) => p.refused),
    };
  }

  nemesis(): Nemesis {
    const nodes = this.nodes;
    const node = (i: number) => nodes[i] as NodeProcess;
    const all = nodes.map((_, i) => i);
    return {
      ids: this.ids,
      kill: (i) => node(i).kill(),
      restart: (i) => node(i).start(),
      pause: (i) => node(i).pause(),
      resume: (i) => node(i).resume(),
      stopAll: async () => {
        await Promise.all(nodes.map((nd) => nd.stop()));
      },
      startAll: () => nodes.forEach((nd) => nd.start()),
      partition: (minority, mode) => {
        const rest = all.filter((i) => !minority.includes(i));
        this.links.between(minority, rest, mode === 'cut' ? { cut: true } : { drop: true });
      },
      delay: (i, ms) =>
        this.links.between(
          [i],
          all.filter((k) => k !== i),
          { delayMs: ms },
        ),
      heal: () => this.links.healAll(),
    };
  }

  /** The node whose process group opened `socket` (a connection to a proxy), or -1. */
  private identify(socket: Socket): number {
    const leaders = this.nodes.map((node) => node.pid ?? -1);
    const group = connectingGroup(
      socket.remotePort ?? 0,
      socket.localPort ?? 0,
      leaders.filter((p) => p > 0),
    );
    return group === undefined ? -1 : leaders.indexOf(group);
  }

  /**
   * Wait until every node serves: its ready command exits 0, or (without one) its client port
   * accepts connections. A node that does not within startTimeout breaks the run.
   */
  private async waitReady(): Promise<void> {
    const { config, stop } = this;
    const deadline = performance.now() + config.startTimeout * 1000;
    await Promise.all(
      this.nodes.map(async (node, i) => {
        while (!stop.stopped) {
          if (await (this.probes[i] as () => Promise<boolean>)()) return;
          if (performance.now() > deadline) {
            const what =
              config.ready === undefined
                ? `open its client port ${HOST}:${this.clientPort[i]}`
                : 'pass its ready command';
            stop.broken(
              `node ${node.spec.id} (${node.spec.text}) did not ${what} within ${config.startTimeout} s [log: ${node.spec.log}]`,
            );
            return;
          }
          await stop.sleep(200);
        }
      }),
    );
  }
}

/** Run a ready command once: true when it exits 0 within 5 s. */
async function runProbe(
  groups: ProcessGroups,
  line: { file: string; args: readonly string[] },
  cwd: string,
  log: string,
): Promise<boolean> {
  const fd = openSync(log, 'a');
  try {
    const child = groups.spawn(line.file, line.args, { cwd, stdio: ['ignore', fd, fd] });
    const failed = new Promise<undefined>((resolve) =>
      child.once('error', () => resolve(undefined)),
    );
    const exit = await Promise.race([exitOf(child, 5000), failed]);
    if (exit === undefined && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    return exit?.code === 0;
  } finally {
    closeSync(fd);
  }
}
