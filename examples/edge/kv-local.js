// examples/edge/kv-local.js - a local stand-in for a Workers KV namespace,
// for running the example under plain workerd: a worker that answers the
// HTTP requests workerd's `kvNamespace` binding sends (GET/PUT/DELETE
// /<key>, GET /?prefix=&cursor= to list) and keeps each value as a file
// in a writable disk service (env.FILES).  Key names are hex-encoded into
// file names.  In production the binding is a real KV namespace instead.

const hex = (s) => Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (h) => new TextDecoder().decode(new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16))));

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/' && request.method === 'GET') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const listing = await (await env.FILES.fetch('http://files/')).json();
      const names = listing.filter((e) => e.type === 'file').map((e) => unhex(e.name)).filter((n) => n.startsWith(prefix)).sort();
      return Response.json({ keys: names.map((name) => ({ name })), list_complete: true });
    }
    const key = decodeURIComponent(url.pathname.slice(1));
    const file = `http://files/${hex(key)}`;
    if (request.method === 'GET') {
      const r = await env.FILES.fetch(file);
      return r.ok ? new Response(r.body) : new Response(null, { status: 404 });
    }
    if (request.method === 'PUT') {
      const body = await request.arrayBuffer();
      const r = await env.FILES.fetch(file, { method: 'PUT', body });
      return new Response(null, { status: r.ok ? 200 : 500 });
    }
    if (request.method === 'DELETE') {
      await env.FILES.fetch(file, { method: 'DELETE' });
      return new Response(null, { status: 200 });
    }
    return new Response(null, { status: 405 });
  },
};
