#!/bin/sh
# Regenerates the RDB fixtures of this directory with Debian's redis-server
# (7.0.x writes RDB version 10). Usage: sh gen.sh [port]
set -e
PORT=${1:-16399}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
redis-server --port "$PORT" --dir "$TMP" --save "" --enable-debug-command yes --daemonize no --logfile "$TMP/log" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
C="redis-cli -p $PORT"
until $C ping >/dev/null 2>&1; do sleep 0.1; done
$C flushall >/dev/null
# strings: int encodings, embstr, raw, compressible, binary, empty
$C set s:int8 12 >/dev/null
$C set s:int16 -3000 >/dev/null
$C set s:int32 2000000000 >/dev/null
$C set s:int64 1234567890123 >/dev/null
$C set s:embstr hello >/dev/null
$C set s:empty "" >/dev/null
$C set s:lzf "$(printf 'abcabcabc%.0s' $(seq 1 40))" >/dev/null
$C set s:raw "$(seq 1 40 | tr '\n' ' ')" >/dev/null
printf 'bin\000\001\377' | $C -x set s:bin >/dev/null
$C set s:ttl v >/dev/null
$C pexpireat s:ttl 4102444800000 >/dev/null
# lists: one listpack node, several nodes
$C rpush l:small a b 1 -1 300 70000 5000000000 >/dev/null
for i in $(seq 1 10); do $C rpush l:big $(seq -f "element-%g-$i" 1 300) >/dev/null; done
# sets: intset, hashtable (7.0 has no set listpack)
$C sadd set:int 1 2 3 -40000 5000000000 >/dev/null
$C sadd set:str a b c >/dev/null
$C sadd set:big $(seq 1 600) >/dev/null
# sorted sets: listpack and skiplist
$C zadd z:small 1 a 1.5 b -2 c inf d -inf e >/dev/null
$C zadd z:big $(seq 1 200 | awk '{printf "%d.5 m%d ", $1, $1}') >/dev/null
# hashes: listpack and hashtable
$C hset h:small f1 v1 f2 2 f3 300000 >/dev/null
$C hset h:big $(seq 1 600 | awk '{printf "f%d v%d ", $1, $1}') >/dev/null
$C hset h:longval f "$(printf 'x%.0s' $(seq 1 100))" >/dev/null
# streams: several nodes, differing fields, a deleted entry, a group
for i in $(seq 1 250); do $C xadd st 1000-$i a $i b x >/dev/null; done
$C xadd st 2000-1 other 1 >/dev/null
$C xdel st 1000-7 >/dev/null
$C xgroup create st g1 1000-5 >/dev/null
$C xadd st:one '*' k v >/dev/null
# other databases, expiries
$C -n 1 set db1:k v >/dev/null
$C -n 1 rpush db1:l x y >/dev/null
$C -n 3 hset db3:h a b >/dev/null
$C -n 3 pexpireat db3:h 4102444800000 >/dev/null
$C save >/dev/null
cp "$TMP/dump.rdb" "$HERE/redis70_all.rdb"
$C debug digest > "$HERE/redis70_all.digest"
$C config set rdbcompression no >/dev/null
$C save >/dev/null
cp "$TMP/dump.rdb" "$HERE/redis70_nocompress.rdb"
$C shutdown nosave >/dev/null 2>&1 || true
