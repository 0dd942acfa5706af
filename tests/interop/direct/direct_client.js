// Drives the real @threefold/rmb_direct_client (npm) against our relay and gateway.
//
//   node direct_client.js call  CONFIG   -> sends one request, prints the reply as one JSON line
//   node direct_client.js serve CONFIG   -> answers requests until killed, prints "ready" first
//
// CONFIG (JSON): {relay, mnemonic, key_type, me, twins: [{id, account_hex, relay, pk}],
//                 call: {dst, cmd, data, minutes}, serve: {session}}
//
// Only the chain is stubbed (PROTOCOL.md §13.3): the client's tfchain client is replaced by
// an object that answers from `twins`, the same records our twin directory file holds.
// Everything else (keys, JWT, envelopes, signatures, e2e) is the package's own code.
"use strict";
const fs = require("fs");
const path = require("path");
const { Client, getTwin } = require("@threefold/rmb_direct_client");
// The package exports only its index; its envelope and wire types sit beside it.
const packageDir = path.dirname(require.resolve("@threefold/rmb_direct_client"));
const types = require(path.join(packageDir, "types/lib/types"));
const ClientEnvelope = require(path.join(packageDir, "envelope")).default;
const { decodeAddress } = require("@polkadot/util-crypto");

const [mode, configPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, "utf8"));

function toHex(bytes) {
  return Buffer.from(bytes).toString("hex");
}

function fakeChain() {
  const byId = new Map(cfg.twins.map(t => [t.id, t]));
  return {
    connect: async () => {},
    disconnect: async () => {},
    twins: {
      getTwinIdByAccountId: async ({ accountId }) => {
        const wanted = toHex(decodeAddress(accountId));
        const twin = cfg.twins.find(t => t.account_hex === wanted);
        return twin ? twin.id : 0;
      },
      get: async ({ id }) => {
        const t = byId.get(id);
        if (!t) throw new Error(`twin ${id} not found`);
        return { id: t.id, accountId: "0x" + t.account_hex, relay: t.relay, pk: t.pk, entities: [] };
      },
      // The harness publishes the expected pk/relay up front, so an update is a no-op.
      update: async () => ({ apply: async () => {} }),
    },
  };
}

async function connect(session) {
  const client = new Client("ws://chain.invalid", cfg.relay, cfg.mnemonic, session, cfg.key_type, 1);
  client.tfclient = fakeChain();
  await client.connect();
  return client;
}

async function call() {
  const client = await connect("interop");
  const c = cfg.call;
  try {
    const uid = await client.send(c.cmd, c.data, c.dst, c.minutes);
    const reply = await client.read(uid);
    process.stdout.write(JSON.stringify({ ok: true, reply }) + "\n");
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message ? err.message : err) }) + "\n");
  }
  process.exit(0);
}

// The package cannot serve (its reader keeps only replies to its own requests), so the
// responder takes over the connection's onmessage and answers with the package's envelope,
// signing and encryption code: what a TS service built on this client would do.
async function serve() {
  const client = await connect(cfg.serve && cfg.serve.session ? cfg.serve.session : undefined);
  client.con.onmessage = async (e) => {
    try {
      const received = types.Envelope.deserializeBinary(e.data);
      if (!received.has_request) return;
      const request = new ClientEnvelope(undefined, received, cfg.relay, client.tfclient, client.twins);
      const verified = await request.verify();
      const data = request.plain.length > 0 ? Buffer.from(request.plain)
                                            : Buffer.from(await request.decrypt(cfg.mnemonic));
      const body = JSON.stringify({ command: received.request.command, echo: data.toString(), verified: !!verified });
      const reply = new ClientEnvelope(client.signer, new types.Envelope({
        uid: received.uid,
        timestamp: Math.round(Date.now() / 1000),
        expiration: 300,
        source: client.source,
        destination: received.source,
        response: new types.Response(),
      }), cfg.relay, client.tfclient, client.twins);
      const caller = await getTwin(received.source.twin, client.twins, client.tfclient);
      if (caller.pk && client.twin.pk) {
        reply.cipher = await reply.encrypt(body, cfg.mnemonic, caller.pk);
      } else {
        reply.plain = new Uint8Array(Buffer.from(body));
      }
      reply.signature = reply.signEnvelope();
      client.con.send(reply.serializeBinary());
      process.stderr.write(`served ${received.request.command} from ${received.source.twin} verified=${!!verified}\n`);
    } catch (err) {
      process.stderr.write(`serve error: ${err && err.stack ? err.stack : err}\n`);
    }
  };
  process.stdout.write("ready\n");
}

(mode === "call" ? call() : mode === "serve" ? serve() : Promise.reject(new Error("mode: call|serve")))
  .catch(err => {
    process.stderr.write(`direct_client: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
