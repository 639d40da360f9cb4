# examples/edge/workerd.capnp - the example worker under workerd (the
# `workerd` npm package's binary), on 127.0.0.1:8787:
#
#   make edge           builds dist/ (bundle, engine, compressed snapshot)
#   npx workerd serve examples/edge/workerd.capnp --directory-path kv-files=/tmp/vessel-kv
#
# VECTORS is a kvNamespace binding; here it is served by kv-local.js over
# a writable directory (kv-files), standing in for a Workers KV namespace.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .vesselWorker),
    (name = "kv", worker = .kvWorker),
    (name = "kv-files", disk = (path = "/tmp/vessel-kv", writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const vesselWorker :Workerd.Worker = (
  modules = [
    (name = "worker/index.js", esModule = embed "dist/worker/index.js"),
    (name = "worker/digits.vsnap.gz", data = embed "dist/digits.vsnap.gz"),
    (name = "wasm/vessel.simd.wasm", wasm = embed "dist/vessel.simd.wasm"),
  ],
  bindings = [ (name = "VECTORS", kvNamespace = "kv") ],
  compatibilityDate = "2025-09-01",
);

const kvWorker :Workerd.Worker = (
  modules = [ (name = "kv-local.js", esModule = embed "kv-local.js") ],
  bindings = [ (name = "FILES", service = "kv-files") ],
  compatibilityDate = "2025-09-01",
);
