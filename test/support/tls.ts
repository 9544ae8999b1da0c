// A throwaway test CA and a server certificate it signed (for localhost and 127.0.0.1), made with
// the openssl command line in a temp dir. Tests trust the CA (`curl --cacert`, `ca:` in node:tls).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files and their contents. */
export interface TestPKI {
  dir: string;
  caCertFile: string;
  certFile: string;
  keyFile: string;
  caCert: string;
  cert: string;
  key: string;
  /** Removes the temp dir. */
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

/** Makes a CA (`openssl req -x509`) and a leaf cert for `localhost` / `127.0.0.1` signed by it. */
export function makeTestPKI(): TestPKI {
  const dir = mkdtempSync(join(tmpdir(), 'gonet-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=gonet test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
    '-days', '2', '-extfile', 'ext.cnf'], dir);
  const caCertFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  return {
    dir, caCertFile, certFile, keyFile,
    caCert: readFileSync(caCertFile, 'latin1'),
    cert: readFileSync(certFile, 'latin1'),
    key: readFileSync(keyFile, 'latin1'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
