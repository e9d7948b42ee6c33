/**
 * The preview answers only to this machine's names (DNS rebinding cannot reach the draft), tells
 * the browser to run no script but its own reload script, and makes each draft's PDF and Word
 * version once however many readers ask at once: ten parallel PDF requests start one Chromium.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPreview, type PreviewServer } from '../../src/tools/preview.js';
import { RELEASE_2025 } from '../support.js';

let server: PreviewServer;
let port: number;

beforeAll(async () => {
  server = await startPreview({ configFile: RELEASE_2025, port: 0, log: () => {} });
  port = Number(new URL(server.url).port);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** A GET with exactly this Host header (or none), over a raw socket. */
function rawGet(path: string, host: string | undefined): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('end', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), headers: head ?? '', body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
  });
}

function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('who the preview answers', () => {
  it('refuses a request addressed to any other name, with or without a port, before serving anything', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const answer = await rawGet('/', host);
      expect(answer.status, host).toBe(421);
      expect(answer.body).not.toContain('Main findings');
    }
    // An empty Host is no name of this machine; none at all is a bad HTTP/1.1 request, which
    // Node's server refuses before the preview sees it.
    const empty = await rawGet('/', '');
    expect(empty.status).toBe(421);
    const none = await rawGet('/', undefined);
    expect(none.status).toBe(400);
    for (const answer of [empty, none]) expect(answer.body).not.toContain('Main findings');
    expect((await rawGet('/state.json', 'evil.example')).status).toBe(421);
  });

  it('serves localhost, 127.0.0.1 and [::1]', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      const answer = await rawGet('/', host);
      expect(answer.status, host).toBe(200);
      expect(answer.body).toContain('Main findings');
    }
  });
});

describe('what the page may run', () => {
  it('sends a policy that allows the page its own reload script and nothing else', async () => {
    const page = await get('/');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    const scripts = [...page.body.toString().matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const allowed = [...policy.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]);
    expect(allowed).toEqual([createHash('sha256').update(scripts[0]!).digest('base64')]);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    for (const path of ['/charts/figure-1.svg', '/no-such-page']) expect((await get(path)).headers['content-security-policy']).toBe(policy);
  });
});

describe('PDF and Word versions of a draft', () => {
  it('ten readers asking for the PDF at once start one Chromium, and all get the same file', async () => {
    const launch = vi.spyOn(puppeteer, 'launch');
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => get('/main-findings.pdf')));
      for (const a of answers) expect(a.status).toBe(200);
      expect(answers[0]!.body.subarray(0, 5).toString()).toBe('%PDF-');
      for (const a of answers) expect(a.body.equals(answers[0]!.body)).toBe(true);
      expect(launch).toHaveBeenCalledTimes(1);
      // Asked again for the same draft: made already.
      expect((await get('/main-findings.pdf')).body.equals(answers[0]!.body)).toBe(true);
      expect(launch).toHaveBeenCalledTimes(1);
    } finally {
      launch.mockRestore();
    }
  }, 180_000);

  it('makes a draft\'s Word version once for readers who ask together', async () => {
    const made = await Promise.all(Array.from({ length: 10 }, () => server.builder.docx()));
    for (const docx of made) expect(docx).toBe(made[0]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => get('/main-findings.docx')));
    for (const a of answers) expect(Buffer.from(made[0]!).equals(a.body)).toBe(true);
  }, 120_000);

  it('makes a newer draft\'s versions again, one render after the other', async () => {
    const first = await server.builder.pdf();
    await server.builder.rebuild([]);
    const launch = vi.spyOn(puppeteer, 'launch');
    try {
      const [a, b] = await Promise.all([server.builder.pdf(), server.builder.pdf()]);
      expect(a).toBe(b);
      expect(a).not.toBe(first);
      expect(launch).toHaveBeenCalledTimes(1);
    } finally {
      launch.mockRestore();
    }
  }, 120_000);
});
