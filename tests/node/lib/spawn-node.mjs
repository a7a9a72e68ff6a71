// Starts a polyvm node of a test's own (another fork, say) next to the one run.sh started, on a
// free port and in memory; stop() ends it. POLYVM_BIN is the binary run.sh was given.
import { spawn } from 'node:child_process';

export async function startNode(args = []) {
  const binary = process.env.POLYVM_BIN;
  if (!binary) throw new Error('POLYVM_BIN is not set: run the suite through tests/node/run.sh');
  const child = spawn(binary, ['node', '--port', '0', '--in-memory', '-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polyvm node ${args.join(' ')} printed no port: ${output}`)), 10000);
    const read = (chunk) => {
      output += chunk;
      const match = /^Listening on 127\.0\.0\.1:(\d+)/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`polyvm node ${args.join(' ')} exited (${code}): ${output}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  });
  return { url, stop };
}
