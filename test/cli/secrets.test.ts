/**
 * Plaintext passwords never reach the CLI's output or the database file, and the
 * terminal prompt does not echo what is typed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, childEnv, createOrg, exited, runCli, runJson, tempDb, waitForText, type CliResult } from './helpers.js';

/** Every encoding a plaintext could be stored in by mistake. */
function encodings(plain: string): Buffer[] {
  return [Buffer.from(plain, 'utf8'), Buffer.from(plain, 'utf16le'), Buffer.from(Buffer.from(plain).toString('base64'))];
}

/** The bytes of the database and its WAL and shared-memory files. */
async function storeBytes(dir: string): Promise<Buffer> {
  const files = (await readdir(dir)).filter((f) => f.startsWith('idsync.db'));
  assert.ok(files.includes('idsync.db'));
  return Buffer.concat(await Promise.all(files.map((f) => readFile(path.join(dir, f)))));
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('secrets stay secret', () => {
  let db: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ db, dir, cleanup } = await tempDb());
    await createOrg(db, 'acme');
  });
  after(async () => cleanup());

  it('no plaintext in the CLI output or in the SQLite files', async () => {
    const initial = 'Amber-Falcon-Ridge-4821';
    const changed = 'Cobalt-Willow-Stream-9375';
    const refused = 'mallory-Ridge-Falcon-11';
    const outputs: CliResult[] = [];
    const run = async (args: string[], input?: string): Promise<CliResult> => {
      const r = await runCli([...args, '--org', 'acme', '--db', db], input === undefined ? {} : { input });
      outputs.push(r);
      return r;
    };

    assert.equal((await run(['user', 'create', '--login', 'mallory', '--password-stdin'], `${initial}\n`)).code, 0);
    assert.equal((await run(['user', 'set-password', 'mallory', '--password-stdin'], `${changed}\n`)).code, 0);
    assert.equal((await run(['user', 'set-password', 'mallory', '--password-stdin', '--json'], `${changed}\n`)).code, 1, 'reuse is refused');
    const policy = await run(['user', 'set-password', 'mallory', '--password-stdin'], `${refused}\n`);
    assert.equal(policy.code, 1);
    assert.match(policy.stderr, /no parts of your username/);
    await run(['user', 'get', 'mallory']);
    await run(['user', 'get', 'mallory', '--json']);
    await run(['user', 'list', '--json']);

    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    const bytes = await storeBytes(dir);
    for (const plain of [initial, changed, refused]) {
      assert.ok(!printed.includes(plain), 'a password was printed');
      for (const enc of encodings(plain)) assert.equal(bytes.indexOf(enc), -1, 'a password is in the database files');
    }
    assert.ok(bytes.includes(Buffer.from('$argon2id$')), 'the store holds the hash (sanity check of the scan)');
  });

  /**
   * Runs the CLI on a pseudo-terminal (util-linux `script`; its stdout is what the
   * terminal shows) and answers each prompt only once it is shown.
   */
  async function onTerminal(args: string[], answers: [prompt: string, typed: string][]): Promise<{ code: number | null; screen: string }> {
    const command = [process.execPath, ...CLI, ...args, '--org', 'acme', '--db', db].map(quote).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    // Each prompt appears only after the previous answer, so a listener attached now sees it.
    for (const [prompt, typed] of answers) {
      await waitForText(child.stdout, prompt);
      child.stdin.write(typed);
    }
    const { code } = await exited(child);
    child.stdin.end();
    return { code, screen };
  }
  const tty = { skip: hasScript ? false : 'util-linux `script` is not installed' };

  it('set-password prompts on the terminal with echo off', tty, async () => {
    const typed = 'Juniper-Comet-Valley-2468';
    const before = await runJson<{ passwordChanged: string }>(['user', 'get', 'mallory', '--org', 'acme', '--db', db]);
    const { code, screen } = await onTerminal(['user', 'set-password', 'mallory'], [['New password: ', `${typed}\r`], ['Repeat password: ', `${typed}\r`]]);
    assert.equal(code, 0, screen);
    assert.match(screen, /password set for mallory \(usr_\w+\), status ACTIVE/);
    assert.ok(!screen.includes(typed), `the typed password was echoed: ${JSON.stringify(screen)}`);
    const afterward = await runJson<{ passwordChanged: string }>(['user', 'get', 'mallory', '--org', 'acme', '--db', db]);
    assert.ok(afterward.passwordChanged > before.passwordChanged);
  });

  it('create --prompt-password handles backspace and refuses two different entries', tty, async () => {
    // "Xy" then two backspaces: what counts is what is left.
    const typed = 'Meridian-Basalt-Fjord-8080';
    const made = await onTerminal(['user', 'create', '--login', 'trent', '--prompt-password'], [['New password: ', `Xy\u007f\u007f${typed}\r`], ['Repeat password: ', `${typed}\r`]]);
    assert.equal(made.code, 0, made.screen);
    assert.match(made.screen, /created user trent \(usr_\w+\) in org "acme", status ACTIVE/);
    assert.ok(!made.screen.includes(typed));

    const { code, screen } = await onTerminal(['user', 'set-password', 'trent'], [['New password: ', 'Left-Hand-Entry-1357\r'], ['Repeat password: ', 'Right-Hand-Entry-2468\r']]);
    assert.equal(code, 1, screen);
    assert.match(screen, /error: The two passwords typed do not match; nothing was changed\./);
    assert.ok(!screen.includes('Hand-Entry'));
  });

  it('Ctrl-C at the prompt cancels with exit 130', tty, async () => {
    const { code, screen } = await onTerminal(['user', 'set-password', 'trent'], [['New password: ', 'Half-typ\u0003']]);
    assert.equal(code, 130, screen);
    assert.match(screen, /error: Cancelled\./);
    assert.ok(!screen.includes('Half-typ'));
  });
});
