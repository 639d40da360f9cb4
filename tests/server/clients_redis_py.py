"""clients_redis_py.py - redis-py 4.3's search API against vessel-server, for
tests/server/clients.test.js.  Reads {port, ref, prefix, docs, scenario} as
JSON on stdin; writes what redis-py returned as JSON on stdout (the test
compares it with what was written).  `ref` is a plain redis-server's port
(or null): every helper Vessel does not support is called against both, and
both error texts are reported."""
import json
import struct
import sys

import redis
from redis.commands.search import reducers
from redis.commands.search.aggregation import AggregateRequest, Desc
from redis.commands.search.field import NumericField, TagField, TextField, VectorField
from redis.commands.search.indexDefinition import IndexDefinition, IndexType
from redis.commands.search.query import Query
from redis.commands.search.suggestion import Suggestion


def f32(v):
    return struct.pack('<%df' % len(v), *v)


def text(x):
    if isinstance(x, bytes):
        return x.decode('latin1')
    if isinstance(x, list):
        return [text(y) for y in x]
    return x


cfg = json.load(sys.stdin)
r = redis.Redis(host='127.0.0.1', port=cfg['port'])
prefix = cfg['prefix']
ft = r.ft('py-idx')
out = {}

fields = [
    VectorField('v', 'FLAT', {'TYPE': 'FLOAT32', 'DIM': 4, 'DISTANCE_METRIC': 'L2', 'INITIAL_CAP': 100, 'BLOCK_SIZE': 64}),
    VectorField('h', 'HNSW', {'TYPE': 'FLOAT32', 'DIM': 4, 'DISTANCE_METRIC': 'COSINE', 'INITIAL_CAP': 100,
                              'M': 8, 'EF_CONSTRUCTION': 50, 'EF_RUNTIME': 20}),
    TagField('t', separator=','),
    NumericField('n', sortable=True),
]
definition = IndexDefinition(prefix=[prefix], index_type=IndexType.HASH)
out['create'] = text(ft.create_index(fields, definition=definition))
for i, d in enumerate(cfg['docs']):
    r.hset(f'{prefix}{i}', mapping={'v': f32(d['v']), 'h': f32(d['h']), 't': d['t'], 'n': d['n'], 'title': d['title']})

info = ft.info()
out['info'] = {k: text(info[k]) for k in ('index_name', 'num_docs', 'num_records', 'percent_indexed', 'index_definition', 'attributes')}

out['search'] = []
for s in cfg['scenario']:
    q = Query(s['query']).paging(*s['limit']).dialect(s['dialect'])
    if s.get('nocontent'):
        q = q.no_content()
    if s.get('return'):
        q = q.return_fields(*s['return'])
    if s.get('sortby'):
        q = q.sort_by(s['sortby'][0], asc=s['sortby'][1] == 'ASC')
    params = {k: f32(v) for k, v in s['params'].items()} if s.get('params') else None
    res = ft.search(q, query_params=params)
    docs = []
    for doc in res.docs:
        fields_ = {k: (v if isinstance(v, str) else '<bytes>') for k, v in doc.__dict__.items() if k not in ('id', 'payload')}
        docs.append({'id': doc.id, 'fields': fields_})
    out['search'].append({'total': res.total, 'docs': docs})

keys = [f'{prefix}{i}' for i in range(len(cfg['docs']))]
out['list_before'] = text(r.execute_command('FT._LIST'))
# dropindex() sends FT.DROP idx KEEPDOCS; dropindex(delete_documents=True) FT.DROP idx "".
reply = text(ft.dropindex(delete_documents=False))
out['dropindex_keep'] = {'reply': reply, 'exists': r.exists(*keys), 'listed': 'py-idx' in text(r.execute_command('FT._LIST'))}
ft.create_index(fields, definition=definition)
reply = text(ft.dropindex(delete_documents=True))
out['dropindex_delete'] = {'reply': reply, 'exists': r.exists(*keys), 'listed': 'py-idx' in text(r.execute_command('FT._LIST'))}

# FT.AGGREGATE and the aliases through redis-py's own helpers.
ft.create_index([TagField('t'), NumericField('n')], definition=definition)
for i, (t, n) in enumerate([('a', 1), ('a', 3), ('b', 5)]):
    r.hset(f"{cfg['prefix']}agg:{i}", mapping={'t': t, 'n': n})
req = (AggregateRequest('*').load('@t', '@n')
       .group_by('@t', reducers.count().alias('c'), reducers.sum('@n').alias('s'))
       .sort_by(Desc('@s')))
res = ft.aggregate(req)
out['aggregate'] = [text(row) for row in res.rows]
out['aliasadd'] = text(ft.aliasadd('al'))
out['alias_search'] = r.ft('al').search(Query('@t:{a}')).total
out['aliasupdate'] = text(ft.aliasupdate('al'))
out['aliasdel'] = text(ft.aliasdel('al'))
ft.dropindex(delete_documents=True)

# Every helper for a command Vessel does not implement.
ft.create_index([TagField('t')], definition=definition)
helpers = [
    ('alter_schema_add', lambda f: f.alter_schema_add([TagField('x')])),
    ('config_get', lambda f: f.config_get('TIMEOUT')),
    ('config_set', lambda f: f.config_set('TIMEOUT', 100)),
    ('dict_add', lambda f: f.dict_add('d', 'w')),
    ('dict_del', lambda f: f.dict_del('d', 'w')),
    ('dict_dump', lambda f: f.dict_dump('d')),
    ('explain', lambda f: f.explain('*')),
    ('profile', lambda f: f.profile(Query('*'))),
    ('spellcheck', lambda f: f.spellcheck('helo')),
    ('sugadd', lambda f: f.sugadd('s', Suggestion('hello', 1.0))),
    ('sugdel', lambda f: f.sugdel('s', 'hello')),
    ('suglen', lambda f: f.suglen('s')),
    ('sugget', lambda f: f.sugget('s', 'he')),
    ('synupdate', lambda f: f.synupdate('g', False, 'a', 'b')),
    ('syndump', lambda f: f.syndump()),
    ('tagvals', lambda f: f.tagvals('t')),
    ('add_document', lambda f: f.add_document('doc1', title='x')),
    ('delete_document', lambda f: f.delete_document('doc1')),
    ('get', lambda f: f.get('doc1')),
]


def attempt(client, fn):
    try:
        return None, repr(fn(client.ft('py-idx')))
    except redis.exceptions.RedisError as e:
        return e, None


ref = redis.Redis(host='127.0.0.1', port=cfg['ref']) if cfg['ref'] else None
out['unsupported'] = []
for name, fn in helpers:
    err, value = attempt(r, fn)
    entry = {'helper': name, 'error_class': type(err).__name__ if err else None, 'error': str(err) if err else None, 'value': value}
    if ref is not None:
        ref_err, _ = attempt(ref, fn)
        entry['ref_error'] = str(ref_err) if ref_err else None
    out['unsupported'].append(entry)
out['ping'] = r.ping()
ft.dropindex()
print(json.dumps(out))
