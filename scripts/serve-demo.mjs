#!/usr/bin/env node
// Static server for the Global Select demo shop. No dependencies (Node 20+).
//
//   node scripts/serve-demo.mjs [--port 8080] [--host 127.0.0.1] [--server http://127.0.0.1:8787] [--kb FILE]
//
// Serves demo/ at / and the built SDK (sdk-js/dist/) at /kefu/, with the Content-Security-Policy a
// careful shop would send, so the demo proves the widget works under it. When it serves index.html
// it points the snippet's data-endpoint at --server, because tests start the escalation server on
// free ports. Prints exactly one line, "demo shop: http://HOST:PORT/", once it is listening.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: node scripts/serve-demo.mjs [options]

Serves the Global Select demo shop (demo/) at / and the Kefu SDK build (sdk-js/dist/) at /kefu/.

Options:
  --port N        port to listen on; 0 picks a free port (default 8080)
  --host H        address to bind (default 127.0.0.1)
  --server URL    escalation server base URL: written into the snippet's data-endpoint and
                  allowed in the CSP connect-src (default http://127.0.0.1:8787)
  --kb FILE       serve FILE as /kb.json instead of demo/kb.json
  -h, --help      print this help and exit

Prints "demo shop: http://HOST:PORT/" when ready. Stops on SIGTERM or SIGINT.`;

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.model': 'application/octet-stream',
};

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { port: 8080, host: '127.0.0.1', server: 'http://127.0.0.1:8787', kb: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '-h':
      case '--help':
        options.help = true;
        break;
      case '--port': {
        const raw = next();
        const port = Number(raw);
        if (!/^\d+$/.test(raw) || port > 65535) throw new UsageError(`--port: "${raw}" is not a port number (0-65535)`);
        options.port = port;
        break;
      }
      case '--host':
        options.host = next();
        break;
      case '--server':
        options.server = next();
        break;
      case '--kb':
        options.kb = path.resolve(next());
        break;
      default:
        throw new UsageError(`unknown option "${arg}" (see --help)`);
    }
  }
  let url;
  try {
    url = new URL(options.server);
  } catch {
    throw new UsageError(`--server: "${options.server}" is not a URL (e.g. http://127.0.0.1:8787)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server: "${options.server}" must be an http:// or https:// URL`);
  }
  options.serverOrigin = url.origin;
  options.endpoint = options.server.replace(/\/+$/, '');
  return options;
}

function contentSecurityPolicy(serverOrigin) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self' ${serverOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "worker-src 'self'",
  ].join('; ');
}

function escapeAttribute(text) {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Points the Kefu snippet's data-endpoint at the escalation server; adds the attribute if the
// snippet has none. Other script tags are left alone.
export function rewriteSnippet(html, endpoint) {
  const value = `data-endpoint="${escapeAttribute(endpoint)}"`;
  return html.replace(/<script\b[^>]*\bsrc="[^"]*\/kefu\.js"[^>]*>/g, (tag) =>
    /\bdata-endpoint="[^"]*"/.test(tag)
      ? tag.replace(/\bdata-endpoint="[^"]*"/, value)
      : tag.replace(/\s*>$/, ` ${value}>`));
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`serve-demo: ${err.message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  // URL prefix -> directory. Longest prefix first.
  const mounts = [
    { prefix: '/kefu/', dir: path.join(repoRoot, 'sdk-js', 'dist') },
    { prefix: '/', dir: path.join(repoRoot, 'demo') },
  ];
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy(options.serverOrigin),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };

  function send(res, status, body, extra = {}) {
    const text = typeof body === 'string' ? body : '';
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : text);
  }

  // Maps a request path to a file inside one of the mounts, or returns an HTTP status.
  async function resolveFile(pathname) {
    if (pathname === '/kb.json' && options.kb) return { file: options.kb };
    const mount = mounts.find((m) => pathname.startsWith(m.prefix));
    let relative = pathname.slice(mount.prefix.length);
    if (relative === '' || relative.endsWith('/')) {
      // Only the shop's front page has an index; there are no directory listings.
      if (mount.prefix === '/' && relative === '') relative = 'index.html';
      else return { status: 404 };
    }
    const segments = relative.split('/');
    if (segments.some((s) => s === '..' || s === '.' || s === '' || s.includes('\\') || s.includes('\0'))) {
      return { status: 403 };
    }
    const candidate = path.join(mount.dir, ...segments);
    let real;
    let root;
    try {
      [real, root] = await Promise.all([realpath(candidate), realpath(mount.dir)]);
    } catch {
      return { status: 404 };
    }
    // A symlink must not lead out of the served folder either.
    if (real !== root && !real.startsWith(root + path.sep)) return { status: 403 };
    return { file: real };
  }

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      const rawPath = (req.url || '/').split('?')[0].split('#')[0];
      let pathname;
      try {
        pathname = decodeURIComponent(rawPath);
      } catch {
        send(res, 400, 'bad request: malformed URL encoding\n');
        return;
      }
      if (!pathname.startsWith('/')) {
        send(res, 400, 'bad request\n');
        return;
      }
      const resolved = await resolveFile(pathname);
      if (resolved.status === 403) {
        send(res, 403, 'forbidden\n');
        return;
      }
      let info;
      try {
        info = resolved.file ? await stat(resolved.file) : null;
      } catch {
        info = null;
      }
      if (!info || !info.isFile()) {
        send(res, 404, `not found: ${pathname}\n`);
        return;
      }
      const type = MIME_TYPES[path.extname(resolved.file).toLowerCase()] || 'application/octet-stream';

      if (path.basename(resolved.file) === 'index.html' && !pathname.startsWith('/kefu/')) {
        const html = rewriteSnippet(await readFile(resolved.file, 'utf8'), options.endpoint);
        const body = Buffer.from(html, 'utf8');
        res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }

      const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const common = { ...headers, ETag: etag, 'Last-Modified': info.mtime.toUTCString() };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, common);
        res.end();
        return;
      }
      res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': info.size });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(resolved.file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (err) {
      process.stderr.write(`serve-demo: ${req.method} ${req.url}: ${err && err.stack ? err.stack : err}\n`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    }
  });

  server.on('error', (err) => {
    process.stderr.write(`serve-demo: cannot listen on ${options.host}:${options.port}: ${err.message}\n`);
    process.exit(1);
  });

  server.listen(options.port, options.host, async () => {
    const { port } = server.address();
    const wildcard = options.host === '0.0.0.0' || options.host === '::';
    const host = wildcard ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
    for (const [label, file] of [['SDK', path.join(repoRoot, 'sdk-js', 'dist', 'kefu.js')],
      ['knowledge base', options.kb || path.join(repoRoot, 'demo', 'kb.json')]]) {
      try {
        await stat(file);
      } catch {
        process.stderr.write(`serve-demo: warning: ${label} not found at ${path.relative(process.cwd(), file) || file}` +
          (label === 'SDK' ? ' (run ./scripts/build.sh); the shop works, the assistant will not load\n' : '\n'));
      }
    }
    process.stdout.write(`demo shop: http://${host}:${port}/\n`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
    // Keep-alive sockets or a slow client must not keep a test runner waiting.
    setTimeout(() => process.exit(0), 2000).unref();
    if (signal === 'SIGINT') process.stderr.write('\n');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
