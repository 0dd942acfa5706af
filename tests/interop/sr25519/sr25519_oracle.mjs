// sr25519 oracle on @polkadot/util-crypto 12 (schnorrkel compiled to wasm), an independent
// implementation for tests/interop/sr25519. Reads one request per line on stdin, writes one
// answer line each:
//   verify <pub hex> <message hex> <signature64 hex>  -> "true" | "false"
//   sign <message hex> <secret URI...>                -> "<pub hex> <signature64 hex>"
//   derive <secret URI...>                            -> "<sr25519 pub hex> <ed25519 pub hex | ->"
import readline from 'node:readline';
import {
  cryptoWaitReady, ed25519PairFromSeed, keyExtractSuri, keyFromPath, mnemonicToMiniSecret,
  sr25519PairFromSeed, sr25519Sign, sr25519Verify,
} from '@polkadot/util-crypto';

const DEV = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const hex = (u8) => Buffer.from(u8).toString('hex');
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));

function pair(suri, type) {
  // keyExtractSuri needs a phrase; the dev phrase is the default as in the keyring.
  const { phrase, path, password } = keyExtractSuri(suri.startsWith('/') ? DEV + suri : suri);
  const seed = phrase.startsWith('0x') ? bytes(phrase.slice(2)) : mnemonicToMiniSecret(phrase, password);
  const root = type === 'sr25519' ? sr25519PairFromSeed(seed) : ed25519PairFromSeed(seed);
  return keyFromPath(root, path, type);
}

await cryptoWaitReady();
const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const [cmd, ...rest] = line.split(' ');
  if (cmd === 'verify') {
    const [pub, msg, sig] = rest;
    console.log(String(sr25519Verify(bytes(msg), bytes(sig), bytes(pub))));
  } else if (cmd === 'sign') {
    const [msg, ...uri] = rest;
    const kp = pair(uri.join(' '), 'sr25519');
    console.log(`${hex(kp.publicKey)} ${hex(sr25519Sign(bytes(msg), kp))}`);
  } else if (cmd === 'derive') {
    const uri = rest.join(' ');
    let ed = '-';
    try { ed = hex(pair(uri, 'ed25519').publicKey); } catch { /* soft junction */ }
    console.log(`${hex(pair(uri, 'sr25519').publicKey)} ${ed}`);
  } else {
    console.log(`unknown command ${cmd}`);
  }
}
