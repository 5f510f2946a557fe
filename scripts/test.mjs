// npm test: the unit tier first (in-process, fakes of the ports, seconds), then the workerd contract suite
// and the stand-ins' own tests. Two things are handled here rather than left to the reader of the output:
// - workerd prints a few lines for every fetch that cannot connect, caught or not ("Network connection
//   lost", "connect(): Connection refused" and a native stack). The outage tests provoke ~250 of them on
//   purpose; they are counted and explained once at the end instead of shown.
// - A `vitest run` of the pool has been seen to stall in its teardown with every test passed. A run that
//   prints nothing for STALL_MS is stopped and run once more, saying why; a second stall fails.
// Arguments are passed to vitest (`npm test -- test/worker/sessions.test.ts`), then only that run happens.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const STALL_MS = Number(process.env.TEST_STALL_MS ?? 240_000);
const vitest = ['node_modules/vitest/vitest.mjs', 'run'];

const NOISE = [
  /^exception = kj\/async-io-unix\.c\+\+:\d+: disconnected: connect\(\): Connection refused$/,
  /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Network connection lost\.$/,
  /^uncaught exception; exception = .*disconnected: jsg\.Error: Network connection lost\.$/,
];
// workerd's native stack after one of those lines: only then is a `stack:` line dropped.
const NATIVE_STACK = /^stack: (\S+workerd@[0-9a-f]+ ?)+$/;

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...vitest, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let filtered = 0;
    let stalled = false;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, STALL_MS);
    };
    arm();
    const follow = (stream, out) => {
      let afterNoise = false;
      createInterface({ input: stream }).on('line', (line) => {
        arm();
        const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
        if (NOISE.some((pattern) => pattern.test(plain)) || (afterNoise && NATIVE_STACK.test(plain))) {
          filtered += 1;
          afterNoise = true;
          return;
        }
        afterNoise = false;
        out.write(`${line}\n`);
      });
    };
    follow(child.stdout, process.stdout);
    follow(child.stderr, process.stderr);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), stalled, filtered });
    });
  });
}

async function guarded(args) {
  let result = await run(args);
  if (result.stalled) {
    console.error(
      `\n[test] vitest printed nothing for ${STALL_MS / 1000} s and was stopped (the pool's teardown has been seen to stall with every test passed); running it once more.\n`,
    );
    result = await run(args);
    if (result.stalled) console.error(`\n[test] it stalled again: failing.\n`);
  }
  if (result.filtered > 0) {
    console.log(
      `[test] ${result.filtered} lines of workerd's "Network connection lost" / "connect(): Connection refused" were not shown: the outage tests point the Worker at addresses nothing listens on, and workerd logs every such fetch, caught or not. They are not failures.`,
    );
  }
  return result.stalled ? 1 : result.code;
}

const extra = process.argv.slice(2);
if (extra.length > 0) process.exit(await guarded(extra));

const unit = await guarded(['--project', 'unit']);
if (unit !== 0) process.exit(unit);
process.exit(await guarded(['--project', 'worker', '--project', 'local']));
